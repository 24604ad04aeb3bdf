"""Innkeeper command service."""
