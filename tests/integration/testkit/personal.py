"""Personal data as the tests read it back: a sealed text opened with the test process's master key and
the guest's key from `guest_keys` (`[erased]` when the key is gone), clear text as it is."""

from __future__ import annotations

import asyncpg

from innkeeper_kit.personal import ERASED, MasterKeys, data_keys, is_sealed, open_sealed, sealed_key_id
from testkit.auth import pii_master_keys


async def opened(dsn: str, value: str) -> str:
    """What a reader with the master key reads in `value` (a personal field of an event or a row)."""
    if not is_sealed(value):
        return value
    key_id = sealed_key_id(value)
    connection = await asyncpg.connect(dsn)
    try:
        keys = await data_keys(connection, MasterKeys.parse(pii_master_keys()), [key_id])
    finally:
        await connection.close()
    return open_sealed(value, keys[key_id]) if key_id in keys else ERASED
