"""Whole-system tests: the command service, projector and query service as separate real processes."""
