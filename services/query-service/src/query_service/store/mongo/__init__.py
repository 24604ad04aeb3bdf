"""The read model on MongoDB: the only package of the query service that speaks pymongo."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from query_service.read_model import ReadStore
from query_service.settings import Settings

from .read_model import MongoReadModel


def open_mongodb(settings: Settings) -> MongoReadModel:
    """The read model on the configured database; the client connects on its first query."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        settings.mongodb_url,
        serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
        appname="query-service",
    )
    return MongoReadModel(
        client,
        settings.mongodb_database,
        settings.generation_cache_seconds,
        settings.status_cache_seconds,
        settings.ensure_indexes,
    )


MONGODB = ReadStore(open_mongodb, (PyMongoError,))
"""The service's read store: every driver error means MongoDB cannot be reached (503)."""

__all__ = ["MONGODB", "MongoReadModel", "open_mongodb"]
