"""What an entry of the parking lot holds: an event that failed or waits behind one, or a message that
is not an event at all; each bounded, so an entry always fits a document."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne

from innkeeper_contracts import EventEnvelope
from projector.ports import Kind
from projector.projection.storable import unstorable

KEPT_BYTES = 64 * 1024
"""The most an entry keeps of a message body or of event data."""
MAX_REASON_LENGTH = 1000
KEPT_REASON_LENGTH = 120
"""What an entry keeps of its reason at the end of its retention: the kind of failure before the first
colon (`invalid event`, `cannot be applied`, a missing document), never the details after it."""


def parked_event(
    envelope: EventEnvelope,
    kind: Kind,
    reason: str,
    shard: str,
    attempts: int,
    parked_at: datetime,
    traceparent: str | None = None,
) -> UpdateOne:
    """The write that parks one event (its entry's `_id` is the event id), with its message's
    `traceparent` when there was one (tracing on): `dead-letters retry` sends it again."""
    fields = {
        "kind": kind,
        "reason": reason[:MAX_REASON_LENGTH],
        "shard": shard,
        "attempts": attempts,
        "parked_at": parked_at,
        "aggregate_id": str(envelope.aggregate_id),
        "aggregate_version": envelope.aggregate_version,
        "event_type": envelope.event_type,
        "global_position": envelope.global_position,
        "partition_key": envelope.partition_key,
        "envelope": _kept(envelope),
    }
    if traceparent is not None:
        fields["traceparent"] = traceparent
    # An event waiting behind another keeps what it was parked for first (e.g. its own failure).
    update = (
        {"$set": {**fields, "status": "parked"}}
        if kind != "behind"
        else {"$setOnInsert": fields, "$set": {"status": "parked"}}
    )
    return UpdateOne({"_id": str(envelope.event_id)}, update, upsert=True)


def malformed_message(
    body: bytes, reason: str, shard: str, message_id: str | None
) -> tuple[str, dict[str, Any]]:
    """The `_id` and the entry of a message that is not an event envelope: kept with (the start of) its
    body, never applied. The id holds a digest of the body: messages without an id stay apart."""
    digest = hashlib.sha256(body).hexdigest()[:16]
    entry = {
        "kind": "malformed",
        "status": "parked",
        "reason": reason[:MAX_REASON_LENGTH],
        "shard": shard,
        "message_id": message_id,
        "body": body[:KEPT_BYTES].decode("utf-8", errors="replace"),
        "body_bytes": len(body),
        "parked_at": datetime.now(UTC),
    }
    return f"malformed-{message_id or 'none'}-{digest}", entry


def expired(entry: dict[str, Any], note: str, now: datetime) -> UpdateOne:
    """The write that empties an event's entry at the end of its retention: it keeps what its aggregate's
    order and an operator need (ids, version, position, status, the kind of failure), not its data nor
    the details of its reason (a validation error quotes the values it refused). `dead-letters retry`
    reads the event from the log, as for data left out when it was parked."""
    kind_of_failure = str(entry.get("reason", "")).split(":", 1)[0][:KEPT_REASON_LENGTH]
    fields = {"envelope.data": {}, "reason": f"{kind_of_failure}: {note}", "expired_at": now}
    return UpdateOne({"_id": entry["_id"], "expired_at": {"$exists": False}}, {"$set": fields})


def _kept(envelope: EventEnvelope) -> dict[str, Any]:
    """The envelope; data over KEPT_BYTES or unstorable is left out (`retry` reads the log's copy)."""
    kept = envelope.model_dump(mode="json")
    if unstorable(kept["data"], KEPT_BYTES) is not None:
        kept["data"] = {}
    return kept
