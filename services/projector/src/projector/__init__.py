"""Innkeeper projector."""
