"""Console pages: digests (to be built)."""
