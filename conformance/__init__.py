"""Fault conformance for Innkeeper (issue 20): `make conformance`, i.e. `python conformance/run.py`."""
