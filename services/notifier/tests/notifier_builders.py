"""Events as the command service writes them, for the notifier's unit tests."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from innkeeper_contracts import DomainEvent, EventEnvelope, Money

BOOKING = UUID("3f0e1d7a-55d2-4a43-9a59-0d8c1b7f4b10")
HOTEL = UUID("9b1c6f7e-2f3d-4c5b-8a1e-6d2f0a3b4c5d")


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


def envelope(event: DomainEvent, version: int = 1, position: int = 1) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid4(),
        event_type=event.event_type(),
        schema_version=event.schema_version,
        aggregate_type=event.aggregate_type,
        aggregate_id=BOOKING,
        aggregate_version=version,
        global_position=position,
        partition_key=str(HOTEL),
        occurred_at=datetime(2027, 3, 1, 9, 30, tzinfo=UTC),
        correlation_id="corr-1",
        causation_id="cmd-1",
        data=event.model_dump(mode="json"),
    )


def stay(**overrides: Any) -> dict[str, Any]:
    return {"booking_id": BOOKING, "hotel_id": HOTEL, **overrides}


CHECK_IN, CHECK_OUT = date(2027, 4, 10), date(2027, 4, 13)


class GuestKeysHeld:
    """The guest keys in memory (`GuestKeys`): those still held; `unreachable` raises as a database away."""

    def __init__(self, keys: dict[UUID, bytes] | None = None, unreachable: Exception | None = None) -> None:
        self.keys, self.unreachable = dict(keys or {}), unreachable
        self.asked: list[set[UUID]] = []

    async def data_keys(self, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
        self.asked.append(set(key_ids))
        if self.unreachable is not None:
            raise self.unreachable
        return {key_id: self.keys[key_id] for key_id in key_ids if key_id in self.keys}
