"""Booking events → the booking page, the hotel nights and the card's full nights (alerts: `alerts`; the
guest's contact and erasure: `guests`)."""

from __future__ import annotations

from datetime import datetime

from innkeeper_contracts import (
    BookingCancelled,
    BookingEvent,
    EventEnvelope,
    GuestNotificationRequested,
    RefundIssued,
    StayBooked,
)
from innkeeper_contracts.documents import (
    BOOKINGS,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    BookingDetail,
)
from innkeeper_contracts.stay import Stay

from .declaration import Handles, booking_documents
from .errors import ProjectionError
from .guests import page_guest
from .hotels import applied, with_id
from .nights import set_booking
from .view import Doc, DocKey, ReadView, required, taken

BOOKING_FIELDS = sorted(StayBooked.model_fields.keys() & BookingDetail.model_fields.keys() - {"guest"})
"""What the booking page takes from `StayBooked` as it is (the guest is revealed: `guests.page_guest`)."""


def on_stay_booked(view: ReadView, envelope: EventEnvelope, event: StayBooked) -> None:
    hotel = required(view, HOTEL_DETAILS, str(event.hotel_id))
    card = required(view, HOTEL_CARDS, str(event.hotel_id))
    if event.room_type not in {room["code"] for room in card["room_types"]}:
        raise ProjectionError(f"hotel {event.hotel_id} has no room type {event.room_type!r}")
    booking_id = str(event.booking_id)
    # Before any early return: the booking page is written before the card (`WRITE_ORDER`), so a batch
    # cut off between the two leaves the page at a later version and the card without this booking.
    card = _latest_booking_on(view, card, event)
    existing = view.get(BOOKINGS, booking_id)
    if existing is not None and existing["status"] == "cancelled":
        return  # the cancellation is applied too (its redelivery takes the nights off again)
    if existing is None:
        guest = event.guest
        shown = page_guest(view, guest.guest_id, guest.name, guest.email)
        detail = BookingDetail(
            **taken(event, BOOKING_FIELDS),
            guest=shown,
            hotel_name=hotel["name"],
            city=hotel["city"],
            status="active",
            version=envelope.aggregate_version,
        )
        page = {**detail.model_dump(mode="json"), "guest": shown}  # `erased` only once true
        view.put(BOOKINGS, booking_id, with_id(booking_id, page))
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
    booking = required(view, BOOKINGS, booking_id)
    card = required(view, HOTEL_CARDS, str(event.hotel_id))
    if not applied(booking, envelope.aggregate_version):
        cancelled = {
            "status": "cancelled",
            "cancelled_at": event.model_dump(mode="json")["cancelled_at"],
            "cancellation_reason": view.reveal(event.reason),
            "refund_policy": event.refund_policy,
            "refund": event.refund.model_dump(mode="json"),
            "version": envelope.aggregate_version,
        }
        view.put(BOOKINGS, booking_id, {**booking, **cancelled})
    stay = Stay(event.check_in, event.check_out)
    set_booking(view, card, stay, booking_id, None, envelope.occurred_at.date())


def advance_version(view: ReadView, envelope: EventEnvelope, event: BookingEvent) -> None:
    """Refund, notification, alert: the booking page now reflects this version of the booking (its
    version counts every event of the booking, so a later event's version check holds)."""
    booking_id = str(event.booking_id)
    booking = required(view, BOOKINGS, booking_id)
    if not applied(booking, envelope.aggregate_version):
        view.put(BOOKINGS, booking_id, {**booking, "version": envelope.aggregate_version})


def _stay_documents(event: StayBooked | BookingCancelled) -> set[DocKey]:
    hotel_id = str(event.hotel_id)
    night_ids = Stay(event.check_in, event.check_out).night_ids(hotel_id)
    keys = booking_documents(event)
    keys.update((HOTEL_NIGHTS, night_id) for night_id in night_ids)
    return keys


HANDLES: dict[type[BookingEvent], Handles] = {
    StayBooked: Handles(on_stay_booked, _stay_documents, personal=lambda e: (e.guest.name, e.guest.email)),
    BookingCancelled: Handles(on_booking_cancelled, _stay_documents, personal=lambda e: (e.reason,)),
    RefundIssued: Handles(advance_version, booking_documents),
    GuestNotificationRequested: Handles(advance_version, booking_documents),  # the notifier opens it
}
"""The booking events this module projects."""
