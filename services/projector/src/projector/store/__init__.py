"""Implementations of the read-store ports: `mongo` (the service's) and `memory` (verify, tests)."""
