"""Reading the guests' personal data back as a reader would (the command service's own tests): what the
log and the write model hold, opened with the keys that still exist."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from testkit.personal import opened as opened_as_a_reader

from innkeeper_kit.personal import is_sealed

NAME, EMAIL = "Zelda Quillfeather", "zelda.quillfeather@example.com"
"""A guest's data no other test uses, so its clear text is easy to search for."""


async def opened(dsn: str, sealed: str) -> str:
    """The clear text of a sealed text, or ERASED when its key is gone; a text not sealed fails."""
    assert is_sealed(sealed), f"not sealed: {sealed[:40]!r}"
    return await opened_as_a_reader(dsn, sealed)


async def clear_text_anywhere(dsn: str, *texts: str) -> list[str]:
    """Where any of `texts` stands in clear in the log or the write model (case-insensitive)."""
    connection = await asyncpg.connect(dsn)
    found: list[str] = []
    try:
        for text in texts:
            pattern = f"%{text}%"
            if await connection.fetchval("SELECT count(*) FROM events WHERE data::text ILIKE $1", pattern):
                found.append(f"events: {text}")
            if await connection.fetchval("SELECT count(*) FROM bookings b WHERE b::text ILIKE $1", pattern):
                found.append(f"bookings: {text}")
    finally:
        await connection.close()
    return found


async def booking_row(dsn: str, booking_id: str) -> dict[str, Any]:
    connection = await asyncpg.connect(dsn)
    try:
        row = await connection.fetchrow("SELECT * FROM bookings WHERE booking_id = $1::uuid", booking_id)
    finally:
        await connection.close()
    assert row is not None
    return dict(row)


async def events_of(dsn: str, booking_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(event type, data) of a booking's events, in order."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT event_type, data::text FROM events WHERE aggregate_id = $1::uuid"
            " ORDER BY aggregate_version",
            booking_id,
        )
    finally:
        await connection.close()
    return [(row[0], orjson.loads(row[1])) for row in rows]
