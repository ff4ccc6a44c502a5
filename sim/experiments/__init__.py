"""Stage 3, experiments: single runs, paired replications, designs and batches with provenance."""
