"""Faults of the event stream: past events delivered again out of order, and a poison event.

Both publish to `innkeeper.events` directly (the run's vhost, the harness's admin user), as the relay
would (conformance.event_wire): every consumer must take a redelivery as the duplicate it is, and park
what it can never apply without stalling the shard behind it."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aio_pika
import asyncpg
import orjson

from conformance.event_wire import EVENTS_EXCHANGE, SELECT_EVENTS, catalog, event_message, row_message
from conformance.system import System

PUBLISHED_POSITIONS = """
SELECT global_position FROM events e
WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.global_position = e.global_position)
"""
"""Events the relay has published already (their outbox row is gone)."""

POISON_POSITION = 2**62
"""Far beyond any log: the poison is never in the event log, only on the wire."""


async def publish(amqp_url: str, messages: list[tuple[aio_pika.Message, str]]) -> None:
    """Publish each, in order, mandatory, with publisher confirms (a return raises)."""
    connection = await aio_pika.connect(
        amqp_url, client_properties={"connection_name": "conformance nemesis"}
    )
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        for message, routing_key in messages:
            await exchange.publish(message, routing_key=routing_key, mandatory=True)
    finally:
        await connection.close()


@dataclass
class Redeliver:
    """Re-publish a random sample of events the relay published already, shuffled: duplicates, out of
    order. Consumers deduplicate by event id / aggregate version, so nothing may change."""

    sample: int = 200
    seed: int = 1
    published: list[int] = field(default_factory=list)  # the positions, in the order sent

    @property
    def description(self) -> str:
        return f"{self.sample} past events re-published, shuffled"

    async def inject(self, system: System) -> None:
        endpoints = system.endpoints
        connection = await asyncpg.connect(endpoints.postgres_dsn)
        try:
            positions = [row["global_position"] for row in await connection.fetch(PUBLISHED_POSITIONS)]
            chosen = random.Random(self.seed).sample(sorted(positions), min(self.sample, len(positions)))
            rows = {row["global_position"]: row for row in await connection.fetch(SELECT_EVENTS, chosen)}
        finally:
            await connection.close()
        await publish(endpoints.amqp_url, [row_message(rows[position]) for position in chosen])
        self.published.extend(chosen)

    async def heal(self, system: System) -> None:
        """Nothing: a redelivery is over once sent."""


def poison_envelope(hotel_id: uuid.UUID, event_id: uuid.UUID) -> dict[str, Any]:
    """A `HotelRegistered` of a hotel nobody registered, valid as an envelope (so it is routed to a shard
    and read), whose data the contract refuses: `stars` 0 (docs/schemas/HotelRegistered.json: 1 to 5).
    The projector parks it at its first failure ("invalid event: HotelRegistered data: ...")."""
    room = {"code": "STD", "name": "Standard", "capacity": 1, "max_guests": 2}
    room["nightly_rate"] = {"amount": "100.00", "currency": "EUR"}
    data = {
        "hotel_id": str(hotel_id),
        "name": "Poison Inn",
        "city": "Nowhere",
        "stars": 0,
        "room_types": [room],
    }
    correlation = f"conformance-poison-{event_id}"
    return {
        "global_position": POISON_POSITION,
        "event_id": str(event_id),
        "event_type": "HotelRegistered",
        "schema_version": catalog()["HotelRegistered"].schema_version,
        "aggregate_type": "hotel",
        "aggregate_id": str(hotel_id),
        "aggregate_version": 1,
        "partition_key": str(hotel_id),
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": correlation,
        "causation_id": correlation,
        "data": data,
        "actor": None,
    }


@dataclass
class Poison:
    """One event on `innkeeper.events` the projector cannot apply: it must be parked with its reason
    (the scenario expects exactly one parked event) while the shard goes on."""

    event_id: uuid.UUID = field(default_factory=uuid.uuid4)
    hotel_id: uuid.UUID = field(default_factory=uuid.uuid4)
    description: str = "a poison event (HotelRegistered with stars 0) on a shard"

    async def inject(self, system: System) -> None:
        envelope = poison_envelope(self.hotel_id, self.event_id)
        message = event_message(
            orjson.dumps(envelope),
            event_id=envelope["event_id"],
            event_type=envelope["event_type"],
            partition_key=envelope["partition_key"],
            correlation_id=envelope["correlation_id"],
        )
        await publish(system.endpoints.amqp_url, [(message, catalog()["HotelRegistered"].routing_key)])

    async def heal(self, system: System) -> None:
        """Nothing: the poison stays parked (the operator's `dead-letters skip` would remove it)."""
