"""Console pages: broadcasts (to be built)."""
