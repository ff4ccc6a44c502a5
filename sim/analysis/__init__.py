"""Stage 4, analysis: statistics, sensitivity, resilience, tables, figures and reports."""
