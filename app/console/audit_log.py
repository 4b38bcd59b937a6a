"""Console pages: audit_log (to be built)."""
