"""The scheduler process and its jobs (python -m jobs)."""
