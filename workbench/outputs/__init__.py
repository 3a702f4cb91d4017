"""Writers for a run's outputs; each streams records and replaces its file atomically."""
