"""The booking domain: pure Python, no I/O. Aggregates decide; adapters store what they decided."""
