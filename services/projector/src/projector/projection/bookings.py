"""Booking events → the booking page, the hotel nights, the card's full nights and the alert feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from innkeeper_contracts import (
    BookingCancelled,
    BookingEvent,
    EventEnvelope,
    GuestNotificationRequested,
    ManagementAlertRaised,
    RefundIssued,
    StayBooked,
)
from innkeeper_contracts.documents import (
    BOOKINGS,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    MANAGEMENT_ALERTS,
    BookingDetail,
    ManagementAlert,
)
from innkeeper_contracts.stay import Stay

from .declaration import Handles, booking_documents
from .errors import ProjectionError
from .hotels import applied, with_id
from .nights import set_booking
from .view import Doc, DocKey, ReadView

BOOKING_FIELDS = sorted(StayBooked.model_fields.keys() & BookingDetail.model_fields.keys())
"""What the booking page takes from `StayBooked` as it is."""
ALERT_FIELDS = sorted(
    ManagementAlertRaised.model_fields.keys() & ManagementAlert.model_fields.keys() - {"hotel_name"}
)
"""What an alert of the feed takes from `ManagementAlertRaised` as it is (the hotel's name comes from
its page)."""


def on_stay_booked(view: ReadView, envelope: EventEnvelope, event: StayBooked) -> None:
    hotel = _required(view, HOTEL_DETAILS, str(event.hotel_id))
    card = _required(view, HOTEL_CARDS, str(event.hotel_id))
    if event.room_type not in {room["code"] for room in card["room_types"]}:
        raise ProjectionError(f"hotel {event.hotel_id} has no room type {event.room_type!r}")
    booking_id = str(event.booking_id)
    existing = view.get(BOOKINGS, booking_id)
    if existing is not None and existing["version"] > envelope.aggregate_version:
        return  # a later event (a cancellation) is applied: its nights are written already
    if existing is None:
        detail = BookingDetail(
            **_taken(event, BOOKING_FIELDS),
            hotel_name=hotel["name"],
            city=hotel["city"],
            status="active",
            version=envelope.aggregate_version,
        )
        view.put(BOOKINGS, booking_id, with_id(booking_id, detail.model_dump(mode="json")))
    card = _latest_booking_on(view, card, event)
    stay = Stay(event.check_in, event.check_out)
    set_booking(view, card, stay, booking_id, event.room_type, envelope.occurred_at.date())


def _latest_booking_on(view: ReadView, card: Doc, event: StayBooked) -> Doc:
    """The card with the time of its hotel's latest booking (the later of the two: applying a
    booking again, or one booked earlier but logged later, changes nothing)."""
    last = card.get("last_booked_at")
    if last is not None and datetime.fromisoformat(last) >= event.booked_at:
        return card
    updated = {**card, "last_booked_at": event.model_dump(mode="json")["booked_at"]}
    view.put(HOTEL_CARDS, str(event.hotel_id), updated)
    return updated


def on_booking_cancelled(view: ReadView, envelope: EventEnvelope, event: BookingCancelled) -> None:
    booking_id = str(event.booking_id)
    booking = _required(view, BOOKINGS, booking_id)
    card = _required(view, HOTEL_CARDS, str(event.hotel_id))
    if not applied(booking, envelope.aggregate_version):
        cancelled = {
            "status": "cancelled",
            "cancelled_at": event.model_dump(mode="json")["cancelled_at"],
            "cancellation_reason": event.reason,
            "refund_policy": event.refund_policy,
            "refund": event.refund.model_dump(mode="json"),
            "version": envelope.aggregate_version,
        }
        view.put(BOOKINGS, booking_id, {**booking, **cancelled})
    stay = Stay(event.check_in, event.check_out)
    set_booking(view, card, stay, booking_id, None, envelope.occurred_at.date())


def on_alert_raised(view: ReadView, envelope: EventEnvelope, event: ManagementAlertRaised) -> None:
    alert_id = str(event.alert_id)
    if view.get(MANAGEMENT_ALERTS, alert_id) is None:
        hotel = _required(view, HOTEL_DETAILS, str(event.hotel_id))
        alert = ManagementAlert(**_taken(event, ALERT_FIELDS), hotel_name=hotel["name"])
        view.put(MANAGEMENT_ALERTS, alert_id, with_id(alert_id, alert.model_dump(mode="json")))
    advance_version(view, envelope, event)


def advance_version(view: ReadView, envelope: EventEnvelope, event: BookingEvent) -> None:
    """Refund, notification, alert: the booking page now reflects this version of the booking (its
    version counts every event of the booking, so a later event's version check holds)."""
    booking_id = str(event.booking_id)
    booking = _required(view, BOOKINGS, booking_id)
    if not applied(booking, envelope.aggregate_version):
        view.put(BOOKINGS, booking_id, {**booking, "version": envelope.aggregate_version})


def _taken(event: BaseModel, names: list[str]) -> dict[str, Any]:
    """The event's values of these fields, as they are (nothing is dumped and validated again)."""
    return {name: getattr(event, name) for name in names}


def _required(view: ReadView, base: str, doc_id: str) -> Doc:
    doc = view.get(base, doc_id)
    if doc is None:
        raise ProjectionError(f"{base} document {doc_id} is missing")
    return doc


def _stay_documents(event: StayBooked | BookingCancelled) -> set[DocKey]:
    hotel_id = str(event.hotel_id)
    night_ids = Stay(event.check_in, event.check_out).night_ids(hotel_id)
    keys = booking_documents(event)
    keys.update((HOTEL_NIGHTS, night_id) for night_id in night_ids)
    return keys


def _alert_documents(event: ManagementAlertRaised) -> set[DocKey]:
    keys = booking_documents(event)
    keys.add((MANAGEMENT_ALERTS, str(event.alert_id)))
    return keys


HANDLES: dict[type[BookingEvent], Handles] = {
    StayBooked: Handles(on_stay_booked, _stay_documents),
    BookingCancelled: Handles(on_booking_cancelled, _stay_documents),
    ManagementAlertRaised: Handles(on_alert_raised, _alert_documents),
    RefundIssued: Handles(advance_version, booking_documents),
    GuestNotificationRequested: Handles(advance_version, booking_documents),
}
"""The booking events this module projects."""
