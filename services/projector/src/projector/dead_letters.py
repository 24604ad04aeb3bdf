"""`python -m projector dead-letters list|retry|skip`: look at, retry or give up parked events.

Retry re-reads each event from the event log (so a corrected row is what gets applied) and publishes
it to the projector's own hash exchange only, never to `innkeeper.events`: no other consumer sees it
again, no side effect fires again. The consumer of its shard applies it in order.
"""

from __future__ import annotations

from typing import Any

import aio_pika

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.topology import event_headers
from innkeeper_kit.tracing import TRACEPARENT

from .ports import Changes, Checkpoint
from .runtime import Runtime
from .topology import HASH_EXCHANGE, declare


async def list_entries(runtime: Runtime, ids: list[str]) -> int:
    entries = await runtime.store.parking.entries(ids or None, status=None if ids else "parked")
    for entry in entries:
        where = f"{entry.get('aggregate_id', '-')} v{entry.get('aggregate_version', '-')}"
        print(
            f"{entry['_id']}  {entry['kind']:<9} {entry['status']:<7} {entry.get('event_type', '-'):<26} "
            f"{where}  {entry['reason']}"
        )
    print(f"{len(entries)} entries")
    return 0


async def retry(runtime: Runtime, ids: list[str]) -> int:
    entries = [e for e in await runtime.store.parking.entries(ids or None) if e["status"] == "parked"]
    malformed = [e for e in entries if e["kind"] == "malformed"]
    for entry in malformed:
        print(f"{entry['_id']}: a malformed message cannot be retried; use skip")
    aggregates = {e["aggregate_id"] for e in entries if e["kind"] != "malformed"}
    # Order needs every parked event of an aggregate, not just the ones named.
    todo = [e for e in await runtime.store.parking.entries() if e.get("aggregate_id") in aggregates]
    todo.sort(key=lambda e: (e["aggregate_id"], e["aggregate_version"]))
    fresh = await runtime.events.by_ids(e["_id"] for e in todo)
    envelopes = [fresh.get(e["_id"]) or EventEnvelope.model_validate(e["envelope"]) for e in todo]
    await runtime.store.parking.mark([e["_id"] for e in todo], "retry")
    await _publish(runtime, list(zip(envelopes, [e.get("traceparent") for e in todo], strict=True)))
    print(f"retrying {len(envelopes)} events of {len(aggregates)} aggregates")
    return 1 if malformed and not envelopes else 0


async def skip(runtime: Runtime, ids: list[str]) -> int:
    """Give up on named entries: the aggregate's checkpoint moves past the event (kept for audit)."""
    if not ids:
        print("skip needs --id: name the entries to give up on")
        return 2
    entries = await runtime.store.parking.entries(ids, status="parked")
    generations = await runtime.store.generations.current()
    for entry in (e for e in entries if e["kind"] != "malformed"):
        past = Checkpoint(entry["aggregate_version"], entry["global_position"])
        for generation in {generations.active, generations.building or generations.active}:
            changes = Changes({}, {}, {entry["aggregate_id"]: past})  # moves forward, never back
            await runtime.store.documents.save(generation, changes)
    await runtime.store.parking.mark([e["_id"] for e in entries], "skipped")
    print(f"skipped {len(entries)} entries")
    return 0


async def _publish(runtime: Runtime, envelopes: list[tuple[EventEnvelope, str | None]]) -> None:
    connection = await aio_pika.connect_robust(runtime.settings.rabbitmq_url)
    async with connection, connection.channel(publisher_confirms=True) as channel:
        await declare(channel, runtime.settings.projector_shards)
        exchange = await channel.get_exchange(HASH_EXCHANGE)
        for envelope, traceparent in envelopes:
            await exchange.publish(_message(envelope, traceparent), routing_key=envelope.routing_key)


def _message(envelope: EventEnvelope, traceparent: str | None = None) -> aio_pika.Message:
    """The event again, with the `traceparent` its message had when it was parked: applied on retry,
    it is still part of the trace of the request that caused it."""
    headers: dict[str, Any] = event_headers(
        partition_key=envelope.partition_key,
        event_type=envelope.event_type,
        correlation_id=envelope.correlation_id,
    )
    headers["x-projector-retry"] = "true"
    if traceparent is not None:
        headers[TRACEPARENT] = traceparent
    return aio_pika.Message(
        envelope.model_dump_json().encode(),
        message_id=str(envelope.event_id),
        correlation_id=envelope.correlation_id,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        headers=headers,
    )
