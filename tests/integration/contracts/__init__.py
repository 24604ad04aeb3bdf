"""Integration tests of the contracts against the stores that keep what they carry."""
