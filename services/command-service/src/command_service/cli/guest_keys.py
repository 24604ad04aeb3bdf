"""`python -m command_service rewrap-guest-keys`: after a new master key was put first in
PII_MASTER_KEYS, wrap every guest's data key under it (the runbook: docs/operations.md). The data keys
themselves do not change, so nothing sealed under them needs touching, and the services keep running:
every master key listed still unwraps. Once this reports none left under another master key, the old one
may leave the setting."""

from __future__ import annotations

import sys

import asyncpg

from command_service.settings import Settings
from innkeeper_kit.personal import GuestKeyStore, MasterKeyError


async def rewrap_guest_keys(settings: Settings) -> int:
    """Re-wrap; prints how many keys were, and how many are still under an older master key (0)."""
    store = GuestKeyStore(settings.master_keys)
    connection = await asyncpg.connect(settings.postgres_dsn, timeout=settings.postgres_connect_timeout)
    try:
        rewrapped = await store.rewrap(connection)
        left = await connection.fetchval(
            "SELECT count(*) FROM guest_keys WHERE master_key_id <> $1", store.master.current_id
        )
    except MasterKeyError as error:  # a key wrapped by a master key no longer listed
        print(f"rewrap-guest-keys: {error} — list that master key in PII_MASTER_KEYS again", file=sys.stderr)
        return 1
    finally:
        await connection.close()
    print(f"re-wrapped {rewrapped} guest keys under master key {store.master.current_id!r}; {left} left")
    return 0
