"""Console pages: training (to be built)."""
