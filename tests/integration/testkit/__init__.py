"""Shared helpers for Innkeeper's integration tests: real infrastructure, real service processes."""
