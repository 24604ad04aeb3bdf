"""What a delivery of a shard queue holds: an event envelope the contracts accept, or the reason why it
is not one (then it is dead-lettered as malformed, never applied)."""

from __future__ import annotations

from pydantic import ValidationError

from innkeeper_contracts import EventEnvelope, event_class

from .projection.storable import MAX_INT64

MAX_EVENT_BYTES = 1024 * 1024
"""Far more than any event the contracts allow (their text and lists are bounded); a larger message
is dead-lettered as malformed, so whatever is kept of it in the parking lot fits a document."""
MAX_REASON_LENGTH = 500


def envelope_of(body: bytes) -> EventEnvelope | str:
    """The envelope, or the reason why the message is not a known event."""
    if len(body) > MAX_EVENT_BYTES:
        return f"malformed message: {len(body)} bytes, more than an event takes ({MAX_EVENT_BYTES})"
    try:
        envelope = EventEnvelope.model_validate_json(body)
        event_class(envelope.event_type)
        if max(envelope.aggregate_version, envelope.global_position) > MAX_INT64:
            return "malformed message: aggregate_version or global_position beyond 8-byte integers"
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in error.errors())
        return f"malformed message: {problems}"[:MAX_REASON_LENGTH]
    except ValueError as error:  # an event type these contracts do not know
        return f"malformed message: {error}"[:MAX_REASON_LENGTH]
    return envelope
