"""Console pages: grievances (to be built)."""
