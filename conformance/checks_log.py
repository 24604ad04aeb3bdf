"""Invariants computed from the event log alone (PostgreSQL, read with raw SQL) and the journal of what
the clients saw: every accepted command applied exactly once, unanswered ones at most once, rejected ones
not at all. Pure functions over `LogEvent`s, so the unit tests feed them by hand."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from conformance.checks_verdict import Verdict, first
from conformance.journal import CommandRecord

PRIMARY_EVENT = {
    "RegisterHotel": "HotelRegistered",
    "BookStay": "StayBooked",
    "CancelBooking": "BookingCancelled",
    "SetNightlyRate": "NightlyRateSet",
    "ChangeRoomCapacity": "RoomCapacityChanged",
    "SetManagementContact": "ManagementContactSet",
    "ChangeGuestContact": "GuestContactChanged",
}
"""The event each accepted command must have written (docs/schemas); others may come with it."""

LOG_SQL = """
SELECT global_position, event_type, aggregate_id::text AS aggregate_id, aggregate_version,
       correlation_id, occurred_at, data::text AS data
FROM events ORDER BY global_position
"""


@dataclass(frozen=True)
class LogEvent:
    position: int
    event_type: str
    aggregate_id: str
    aggregate_version: int
    correlation_id: str
    occurred_at: datetime
    data: dict[str, Any]


async def read_log(dsn: str) -> list[LogEvent]:
    """The whole event log in position order (a run's log is small: thousands of rows)."""
    connection = await asyncpg.connect(dsn, timeout=10)
    try:
        rows = await connection.fetch(LOG_SQL, timeout=60)
    finally:
        await connection.close()
    return [
        LogEvent(
            position=row["global_position"],
            event_type=row["event_type"],
            aggregate_id=row["aggregate_id"],
            aggregate_version=row["aggregate_version"],
            correlation_id=row["correlation_id"],
            occurred_at=row["occurred_at"],
            data=json.loads(row["data"]),
        )
        for row in rows
    ]


def by_correlation(events: Iterable[LogEvent]) -> dict[str, list[LogEvent]]:
    grouped: dict[str, list[LogEvent]] = defaultdict(list)
    for event in events:
        grouped[event.correlation_id].append(event)
    return grouped


def repeated_types(events: list[LogEvent]) -> list[str]:
    """Event types written more than once under one correlation id: a command applied twice."""
    return sorted(name for name, count in Counter(e.event_type for e in events).items() if count > 1)


def _outcome(records: list[CommandRecord], outcome: str) -> list[CommandRecord]:
    return [record for record in records if record.outcome == outcome]


def accepted_exactly_once(records: list[CommandRecord], grouped: dict[str, list[LogEvent]]) -> Verdict:
    accepted = _outcome(records, "accepted")
    missing, twice = [], []
    for record in accepted:
        events = grouped.get(record.key, [])
        wanted = PRIMARY_EVENT.get(record.command)
        if not events or (wanted is not None and all(e.event_type != wanted for e in events)):
            missing.append(f"{record.command} {record.key}")
        if repeated := repeated_types(events):
            twice.append(f"{record.key} {'+'.join(repeated)}")
    detail = f"{len(accepted):,} accepted, {len(missing):,} missing, {len(twice):,} applied twice"
    return Verdict("accepted-exactly-once", not missing and not twice, detail + first(missing + twice))


def unanswered_at_most_once(records: list[CommandRecord], grouped: dict[str, list[LogEvent]]) -> Verdict:
    unanswered = _outcome(records, "unanswered")
    applied = sum(1 for record in unanswered if grouped.get(record.key))
    twice = [record.key for record in unanswered if repeated_types(grouped.get(record.key, []))]
    detail = f"{len(unanswered):,} unanswered, {applied:,} of them applied, {len(twice):,} applied twice"
    return Verdict("unanswered-at-most-once", not twice, detail + first(twice))


def rejected_changed_nothing(records: list[CommandRecord], grouped: dict[str, list[LogEvent]]) -> Verdict:
    rejected = _outcome(records, "rejected")
    changed = [f"{record.command} {record.key}" for record in rejected if grouped.get(record.key)]
    detail = f"{len(rejected):,} rejected, {len(changed):,} with events in the log"
    return Verdict("rejected-changed-nothing", not changed, detail + first(changed))
