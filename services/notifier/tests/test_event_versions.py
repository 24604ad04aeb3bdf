"""The notifier reads an event logged at any schema version it knows as the current one, and
dead-letters data newer than it knows with the reason, instead of misreading it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from notifier_builders import CHECK_IN, CHECK_OUT, envelope, eur, stay

from innkeeper_contracts import EventEnvelope, SealedGuest, StayBooked
from notifier.event_messages import read_event, rejection_reason
from notifier.plans import PlannedDelivery
from notifier.settings import WebhookSubscriber

LOGGED_AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)  # the builders' occurred_at
BOOKINGS = WebhookSubscriber(
    name="channel-manager",
    url="https://cm.example/hooks",  # type: ignore[arg-type]
    secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  # type: ignore[arg-type]
    events=["StayBooked"],
)


def booked() -> EventEnvelope:
    event = StayBooked(
        **stay(), room_type="DBL", guest=SealedGuest(guest_id="g-1", name="Ada", email="ada@example.com"),
        check_in=CHECK_IN, check_out=CHECK_OUT, nights=3, guests=2, nightly_rate=eur("100.00"),
        total_price=eur("300.00"), booked_at=LOGGED_AT,
    )  # fmt: skip
    return envelope(event)


def as_logged(current: EventEnvelope, version: int, **data_changes: Any) -> bytes:
    """The message of this event as a producer of schema `version` would have sent it."""
    data = {key: value for key, value in current.data.items() if key != "booked_at"} | data_changes
    return current.model_copy(update={"schema_version": version, "data": data}).model_dump_json().encode()


def test_a_stay_of_every_version_is_read_and_forwarded_alike() -> None:
    current = booked()  # a guest in clear: as an event logged before sealing existed has it
    v1_envelope, v1_deliveries = read_event(as_logged(current, 1), [BOOKINGS])
    v2 = as_logged(current, 2, booked_at=current.data["booked_at"])
    v2_envelope, v2_deliveries = read_event(v2, [BOOKINGS])
    v3_envelope, v3_deliveries = read_event(current.model_dump_json().encode(), [BOOKINGS])
    assert v1_deliveries == v2_deliveries == v3_deliveries
    assert v1_deliveries == [PlannedDelivery("webhook", "channel-manager", "webhook")]
    assert v1_envelope.schema_version == v3_envelope.schema_version == StayBooked.schema_version
    assert v1_envelope.data == v2_envelope.data == v3_envelope.data  # a webhook subscriber gets one shape
    assert v1_envelope.event() == v2_envelope.event() == current.event()


def test_a_field_added_by_a_later_producer_is_ignored() -> None:
    current = booked()
    later = current.model_copy(update={"data": {**current.data, "loyalty_tier": "gold"}})
    envelope, _ = read_event(later.model_dump_json().encode(), [BOOKINGS])
    assert envelope.event() == current.event()


def test_data_newer_than_the_notifier_knows_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="newer than this reader knows") as refused:
        read_event(as_logged(booked(), 4), [BOOKINGS])
    assert rejection_reason(refused.value) == (
        "StayBooked data of schema version 4 is newer than this reader knows (up to 3): upgrade the reader"
    )
