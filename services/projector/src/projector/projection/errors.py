"""Errors of the pure projection."""


class ProjectionError(Exception):
    """An event cannot be applied to the documents as they are (a poison event, until fixed)."""
