"""Stage 1, configuration: parameters, scenarios and structures, loaded and checked once."""
