"""Personal data in the contracts: marked `x-personal-data` on exactly the fields that hold it, sealed in
events from the versions that seal it (older events keep clear text, lifted unchanged), never in
GuestDataErased; erasing is the guest's own command."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from innkeeper_contracts import (
    COMMANDS,
    ERASED,
    EVENT_TYPES,
    PERSONAL_DATA,
    SEALED_PREFIX,
    BookingCancelled,
    EraseGuestData,
    EventEnvelope,
    GuestContactChanged,
    GuestDataErased,
    GuestNotificationRequested,
    StayBooked,
)
from innkeeper_contracts.audiences import who_may_send
from innkeeper_contracts.documents import BookingDetail
from innkeeper_contracts.personal import MAX_PERSONAL_TEXT_LENGTH, SEALED_FROM_VERSION
from innkeeper_contracts.schemas import all_schemas

MONEY = {"amount": "120.00", "currency": "EUR"}
BOOKING = {"booking_id": str(uuid4()), "hotel_id": str(uuid4())}


def sealed(clear_bytes: int) -> str:
    """A text in the sealed format, as long as one sealing `clear_bytes` bytes (nonce and tag around)."""
    body = base64.urlsafe_b64encode(os.urandom(12 + clear_bytes + 16)).rstrip(b"=").decode()
    return f"{SEALED_PREFIX}{uuid4()}:{body}"


def stay(guest: dict[str, str]) -> dict[str, Any]:
    return BOOKING | {
        "room_type": "DBL",
        "guest": {"guest_id": "g-1"} | guest,
        "check_in": "2030-05-01",
        "check_out": "2030-05-02",
        "nights": 1,
        "guests": 1,
        "nightly_rate": MONEY,
        "total_price": MONEY,
        "booked_at": "2030-04-01T09:00:00Z",
    }


def logged(event_type: str, version: int, data: dict[str, Any]) -> EventEnvelope:
    return EventEnvelope.model_validate(
        {
            "event_id": str(uuid4()),
            "event_type": event_type,
            "schema_version": version,
            "aggregate_type": "booking",
            "aggregate_id": BOOKING["booking_id"],
            "aggregate_version": 1,
            "global_position": 1,
            "partition_key": "p",
            "occurred_at": "2030-04-01T09:30:00Z",
            "correlation_id": "c-1",
            "causation_id": "m-1",
            "data": data,
        }
    )


def _cancelled(**changes: Any) -> dict[str, Any]:
    return {
        "room_type": "DBL",
        "guest_id": "g-1",
        "check_in": "2030-05-01",
        "check_out": "2030-05-02",
        "reason": "r",
        "cancelled_at": "2030-04-02T10:00:00Z",
        "refund_policy": "none",
        "refund": MONEY,
    } | changes


def test_a_version_2_stay_is_lifted_with_its_guest_in_clear() -> None:
    data = stay({"name": "Ann Lee", "email": "ann@example.org"})
    old = logged("StayBooked", 2, data)
    lifted = old.upcast()
    assert lifted.schema_version == 3
    assert lifted.data == data
    event = old.event()
    assert isinstance(event, StayBooked)
    assert (event.guest.name, event.guest.email) == ("Ann Lee", "ann@example.org")


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("GuestContactChanged", {"guest_id": "g-1", "email": "a@b.org", "changed_at": "2030-04-01T09:00Z"}),
        (
            "GuestNotificationRequested",
            {"guest_id": "g-1", "email": "a@b.org", "template": "booking_confirmed", "guest_name": "Ann"},
        ),
        ("BookingCancelled", _cancelled(reason="Plans changed.\nSorry!")),
    ],
)
def test_events_logged_before_sealing_keep_their_clear_text(event_type: str, data: dict[str, Any]) -> None:
    old = logged(event_type, SEALED_FROM_VERSION[event_type] - 1, BOOKING | data)
    assert old.upcast().data == BOOKING | data
    personal = {"email", "guest_name", "reason"} & data.keys()
    assert old.event().model_dump(include=personal) == {name: data[name] for name in personal}


def test_sealed_texts_validate_in_every_personal_field() -> None:
    longest = sealed(254 * 4)  # an address of 254 four-byte characters: the longest a guest can give
    assert len(longest) <= MAX_PERSONAL_TEXT_LENGTH
    booked = StayBooked.model_validate(stay({"name": sealed(800), "email": longest}))
    assert booked.guest.email == longest
    at = datetime(2030, 4, 1, tzinfo=UTC)
    GuestContactChanged(**BOOKING, guest_id="g-1", email=sealed(20), changed_at=at)
    GuestNotificationRequested(
        **BOOKING, guest_id="g-1", email=sealed(20), template="booking_confirmed", guest_name=sealed(3)
    )
    cancelled = logged("BookingCancelled", 2, {**BOOKING, **_cancelled(reason=sealed(800))}).event()
    assert isinstance(cancelled, BookingCancelled)


@pytest.mark.parametrize("text", ["", "a" * (MAX_PERSONAL_TEXT_LENGTH + 1), "Ann\x00Lee", "Ann\u202eLee"])
def test_a_personal_field_still_refuses_what_no_text_may_be(text: str) -> None:
    with pytest.raises(ValidationError):
        StayBooked.model_validate(stay({"name": text, "email": sealed(20)}))


def test_the_versions_that_seal_are_the_events_current_ones() -> None:
    assert {name: EVENT_TYPES[name].schema_version for name in SEALED_FROM_VERSION} == SEALED_FROM_VERSION


def test_guest_data_erased_carries_no_personal_data() -> None:
    schema = GuestDataErased.model_json_schema()
    assert PERSONAL_DATA not in str(schema)
    assert set(GuestDataErased.model_fields) == {"booking_id", "hotel_id", "guest_id", "erased_at", "key_ids"}
    assert GuestDataErased.routing_key() == "booking.guest_data_erased"
    assert EVENT_TYPES["GuestDataErased"] is GuestDataErased
    erased = GuestDataErased(
        **BOOKING, guest_id="g-1", erased_at=datetime(2030, 6, 1, tzinfo=UTC), key_ids=[]
    )
    assert erased.key_ids == []


def _personal_paths(node: Any, path: str) -> list[str]:
    if isinstance(node, list):
        return [found for item in node for found in _personal_paths(item, path)]
    if not isinstance(node, dict):
        return []
    found = [path] if node.get(PERSONAL_DATA) is True else []
    for key, value in node.items():
        if key == "$defs":
            continue  # each model is listed under its own name
        step = path if key in ("anyOf", "items") else f"{path}.{key}" if key != "properties" else path
        found += _personal_paths(value, step)
    return found


def test_personal_data_is_marked_on_exactly_the_fields_that_hold_it() -> None:
    marked = sorted(path for name, schema in all_schemas().items() for path in _personal_paths(schema, name))
    assert marked == [
        "BookingCancelled.reason",  # sealed from version 2
        "BookingDetail.cancellation_reason",  # read documents: clear, or [erased]
        "BookingGuest.email",  # commands: clear, sealed by the command service
        "BookingGuest.name",
        "BookingPageGuest.email",
        "BookingPageGuest.name",
        "CancelBooking.reason",
        "CancelBookingBody.reason",
        "ChangeGuestContact.email",
        "ChangeGuestContactBody.email",
        "Guest.email",  # the guest as the command service knows them
        "Guest.name",
        "GuestContactChanged.email",  # sealed from version 2
        "GuestNotificationRequested.email",
        "GuestNotificationRequested.guest_name",
        "SealedGuest.email",  # StayBooked's guest, sealed from version 3
        "SealedGuest.name",
    ]


def test_the_booking_page_shows_an_erased_guest() -> None:
    page = BookingDetail.model_validate(
        BOOKING
        | {
            "hotel_name": "H",
            "city": "C",
            "room_type": "DBL",
            "guest": {"guest_id": "g-1", "name": ERASED, "email": ERASED, "erased": True},
            "check_in": "2030-05-01",
            "check_out": "2030-05-02",
            "nights": 1,
            "guests": 1,
            "nightly_rate": MONEY,
            "total_price": MONEY,
            "status": "cancelled",
            "booked_at": "2030-04-01T09:00:00Z",
            "cancellation_reason": ERASED,
            "version": 4,
        }
    )
    assert (page.guest.email, page.guest.erased, page.cancellation_reason) == (ERASED, True, ERASED)


def test_erasing_is_the_guest_s_own_command() -> None:
    assert COMMANDS["EraseGuestData"] is EraseGuestData
    assert EraseGuestData.audience == "the_guest"
    assert who_may_send("EraseGuestData", "the_guest") == (
        "the guest themself (`guest_id` is their token's subject), an admin, or a service granted "
        "`EraseGuestData`; staff may not."
    )
    assert EraseGuestData.model_validate({"guest_id": "auth0|65f1"}).guest_id == "auth0|65f1"
    with pytest.raises(ValidationError):
        EraseGuestData.model_validate({"guest_id": "g-1", "name": "Ann"})
    with pytest.raises(ValidationError):
        EraseGuestData.model_validate({"guest_id": "../admin"})
