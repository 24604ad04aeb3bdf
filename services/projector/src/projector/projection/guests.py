"""A booking's guest on its page: their personal data revealed (`personal`), changed, or erased.

The page shows what the guest's data key opens now: a replay after an erasure finds the key gone and
writes `ERASED` where the live projection wrote the clear text that `GuestDataErased` then replaced, so a
rebuild equals the live model. `erased` is written only once true, so the pages of guests never erased
keep the shape they had before erasure existed.
"""

from __future__ import annotations

from innkeeper_contracts import BookingEvent, EventEnvelope, GuestContactChanged, GuestDataErased
from innkeeper_contracts.documents import BOOKINGS
from innkeeper_kit.personal import ERASED

from .declaration import Handles, booking_documents
from .hotels import applied
from .view import Doc, ReadView, required

ERASED_FLAG = "erased"


def page_guest(view: ReadView, guest_id: str, name: str, email: str) -> Doc:
    """The guest as the booking page shows them (`BookingPageGuest`), from an event's personal texts."""
    shown: Doc = {"guest_id": guest_id, "name": view.reveal(name), "email": view.reveal(email)}
    if ERASED in (shown["name"], shown["email"]):  # their key is gone already (a replay after erasure)
        shown[ERASED_FLAG] = True
    return shown


def on_guest_contact_changed(view: ReadView, envelope: EventEnvelope, event: GuestContactChanged) -> None:
    booking_id = str(event.booking_id)
    booking = required(view, BOOKINGS, booking_id)
    if not applied(booking, envelope.aggregate_version):
        guest = {**booking["guest"], "email": view.reveal(event.email)}
        if guest["email"] == ERASED:
            guest[ERASED_FLAG] = True
        view.put(BOOKINGS, booking_id, {**booking, "guest": guest, "version": envelope.aggregate_version})


def on_guest_data_erased(view: ReadView, envelope: EventEnvelope, event: GuestDataErased) -> None:
    """Every personal text of the page becomes `ERASED`: the guest's name and address, and the reason
    of a cancellation (free text they may have written). The booking itself stays."""
    booking_id = str(event.booking_id)
    booking = required(view, BOOKINGS, booking_id)
    if not applied(booking, envelope.aggregate_version):
        guest = {**booking["guest"], "name": ERASED, "email": ERASED, ERASED_FLAG: True}
        erased: Doc = {"guest": guest, "version": envelope.aggregate_version}
        if booking.get("cancellation_reason") is not None:
            erased["cancellation_reason"] = ERASED
        view.put(BOOKINGS, booking_id, {**booking, **erased})


HANDLES: dict[type[BookingEvent], Handles] = {
    GuestContactChanged: Handles(on_guest_contact_changed, booking_documents, personal=lambda e: (e.email,)),
    GuestDataErased: Handles(on_guest_data_erased, booking_documents),
}
"""The guest events this module projects."""
