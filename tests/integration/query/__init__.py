"""Integration tests of the query service against the MongoDB stand-in."""
