"""Innkeeper query service."""
