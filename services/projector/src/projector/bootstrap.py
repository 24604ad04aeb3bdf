"""Composition root: builds the projector's runtime from settings, choosing the read store's
implementation (MongoDB) and the event log's (PostgreSQL). Nothing happens at import time."""

from __future__ import annotations

from .event_log import PostgresEventLog
from .guest_keys import PostgresKeyStore
from .projection import check_declarations
from .runtime import Runtime
from .settings import Settings
from .store import mongo


async def build_runtime(settings: Settings) -> Runtime:
    """Connect to the read store and the event log, and prepare the store for a first start."""
    check_declarations()  # an event type with no projection stops the start, before any I/O
    master = settings.master_keys  # none set: MasterKeyError before any I/O (the preflight says it first)
    store = mongo.connect(settings.mongodb_url, settings.mongodb_database)
    events = await PostgresEventLog.connect(settings.postgres_dsn)
    await store.generations.ensure_initial()
    await store.parking.create_indexes()
    keys = PostgresKeyStore(events.pool, master)
    return Runtime(settings, events, store, mongo.MONGO_FAILURES, keys)
