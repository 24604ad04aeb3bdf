"""Composition root: builds the projector's runtime from settings, choosing the read store's
implementation (MongoDB) and the event log's (PostgreSQL). Nothing happens at import time."""

from __future__ import annotations

from innkeeper_kit.personal import GuestKeyReader

from .event_log import PostgresEventLog
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
    # The guests' data keys, read with the event log's read-only pool, per batch and never cached: a key
    # erased is absent from the next batch on, and unreadable is an error retried, never "erased".
    keys = GuestKeyReader(events.pool, master)
    return Runtime(settings, events, store, mongo.MONGO_FAILURES, keys)
