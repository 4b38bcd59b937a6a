"""Console pages: childcare (to be built)."""
