"""Errors of the pure projection."""


class ProjectionError(Exception):
    """An event cannot be applied to the documents as they are (tried again with fresh reads, then
    parked: a poison event, until fixed)."""


class RefusedEventError(ProjectionError):
    """An event no retry can apply: its data breaks the contracts, or a document it changes would not
    fit the store. Parked at its first failure."""
