"""Old event data read as today's: upcasters lift an event's `data` one schema version at a time.

The log keeps every event as it was written, and a consumer may receive an event published before a
schema change; so every reader of the log and of the wire reads events through `EventEnvelope.event()`
(or `EventEnvelope.upcast()`), which lifts the data along the chain registered here to the version its
model describes. A reader that meets data newer than it knows refuses it with `TooNewSchemaVersionError`
(the projector parks it, the notifier dead-letters it) instead of misreading it. docs/evolution.md says
when a change needs a new version and an upcaster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

Data = dict[str, Any]
"""An event's `data`, as JSON gives it."""
_TIME = TypeAdapter(datetime)
"""Writes a time as the contracts write it in JSON (`...Z`), so lifted data looks like data written new."""


@dataclass(frozen=True)
class Recorded:
    """What the log knows of an event besides its data: an upcaster may derive a field from it."""

    occurred_at: datetime


Upcaster = Callable[[Data, Recorded], Data]
"""Lifts the data of one schema version to the next: pure, and never changes its argument."""


class SchemaVersionError(ValueError):
    """An event's data cannot be read as the version its model describes."""


class TooNewSchemaVersionError(SchemaVersionError):
    """The data is of a schema version newer than this reader knows: the reader needs an upgrade."""


class MissingUpcasterError(SchemaVersionError):
    """No upcaster lifts the data from its version: a gap in the chain (a bug, caught by the CI check)."""


def _stay_booked_v1_to_v2(data: Data, recorded: Recorded) -> Data:
    """v2 carries `booked_at`, the time the guest booked (which the hotel card shows). A v1 event was
    appended by the command that booked, in its own transaction: its `occurred_at` is that command's
    commit, milliseconds after the booking's own time, and the closest time there is."""
    return {**data, "booked_at": _TIME.dump_python(recorded.occurred_at, mode="json")}


def _personal_fields_sealed(data: Data, recorded: Recorded) -> Data:
    """The version that seals an event's personal fields (`personal.SEALED_FROM_VERSION`) changes no
    data: a field of older data is the clear text it was, which readers show as it is (a sealed field
    takes any text). An upcaster cannot seal it: it is pure, and holds no keys."""
    return dict(data)


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("StayBooked", 1): _stay_booked_v1_to_v2,
    ("StayBooked", 2): _personal_fields_sealed,
    ("GuestContactChanged", 1): _personal_fields_sealed,
    ("GuestNotificationRequested", 1): _personal_fields_sealed,
    ("BookingCancelled", 1): _personal_fields_sealed,
}
"""(event type, schema version n) → the upcaster from n to n + 1: the one place they are registered."""


def upcast(event_type: str, version: int, data: Data, recorded: Recorded, *, to: int) -> Data:
    """The data of `event_type` at schema version `version`, lifted to version `to`."""
    if version > to:
        raise TooNewSchemaVersionError(
            f"{event_type} data of schema version {version} is newer than this reader knows"
            f" (up to {to}): upgrade the reader"
        )
    while version < to:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise MissingUpcasterError(f"no upcaster lifts {event_type} data from schema version {version}")
        data, version = step(data, recorded), version + 1
    return data


def chain_gaps(event_type: str, first: int, last: int) -> list[int]:
    """The versions from `first` to `last` - 1 that have no upcaster to the next (empty: a full chain)."""
    return [version for version in range(first, last) if (event_type, version) not in UPCASTERS]
