"""Console pages: knowledge (to be built)."""
