"""A guest's personal data on the booking page: revealed with their data key, `[erased]` once the key is
gone, clear text of events logged before sealing as it is; `GuestDataErased` erases the page."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime

import pytest
from projector_builders import HOTEL, Log, money, room, stay

from innkeeper_contracts import (
    BookingCancelled,
    GuestContactChanged,
    GuestDataErased,
    GuestNotificationRequested,
    HotelRegistered,
    SealedGuest,
    StayBooked,
)
from innkeeper_contracts.documents import BOOKINGS, BookingDetail
from innkeeper_kit.personal import ERASED, seal
from projector.projection import ProjectionError, ReadView, apply_event, needs
from projector.projection.errors import RefusedEventError
from projector.projection.personal import Keys

KEY_ID, KEY = uuid.uuid4(), os.urandom(32)
NIGHT = date(2027, 3, 1)


def sealed(text: str, key_id: uuid.UUID = KEY_ID, key: bytes = KEY) -> str:
    return seal(key_id, key, text)


def hotel(log: Log, keys: Keys) -> ReadView:
    view = ReadView(keys=keys)
    registered = HotelRegistered(
        hotel_id=HOTEL, name="Sea", city="Faro", stars=4, room_types=[room("DBL", 2, 100)]
    )
    apply_event(view, log.add(HOTEL, registered))
    return view


def sealed_stay(booking: uuid.UUID) -> StayBooked:
    guest = SealedGuest(guest_id="g-1", name=sealed("Ann Lee"), email=sealed("ann@example.com"))
    return StayBooked(**stay(booking, "DBL", NIGHT, 2, guest=guest))


def cancelled(booking: uuid.UUID, reason: str) -> BookingCancelled:
    return BookingCancelled(booking_id=booking, hotel_id=HOTEL, room_type="DBL", guest_id="g-1",
                            check_in=NIGHT, check_out=date(2027, 3, 3), reason=reason,
                            cancelled_at=datetime(2027, 2, 1, tzinfo=UTC), refund_policy="full",
                            refund=money(200))  # fmt: skip


def erased(booking: uuid.UUID) -> GuestDataErased:
    at = datetime(2027, 2, 2, tzinfo=UTC)
    return GuestDataErased(booking_id=booking, hotel_id=HOTEL, guest_id="g-1", erased_at=at, key_ids=[KEY_ID])


def page(view: ReadView, booking: uuid.UUID) -> dict:  # type: ignore[type-arg]
    document = view.get(BOOKINGS, str(booking))
    assert document is not None
    BookingDetail.model_validate({k: v for k, v in document.items() if k != "_id"})
    return document


def test_the_page_shows_the_guest_in_clear_while_their_key_exists() -> None:
    log, booking = Log(), uuid.uuid4()
    view = hotel(log, {KEY_ID: KEY})
    apply_event(view, log.add(booking, sealed_stay(booking)))
    assert page(view, booking)["guest"] == {"guest_id": "g-1", "name": "Ann Lee", "email": "ann@example.com"}


def test_an_absent_key_shows_the_erased_marker_never_the_ciphertext() -> None:
    log, booking = Log(), uuid.uuid4()
    view = hotel(log, {KEY_ID: None})
    apply_event(view, log.add(booking, sealed_stay(booking)))
    guest = page(view, booking)["guest"]
    assert guest == {"guest_id": "g-1", "name": ERASED, "email": ERASED, "erased": True}


def test_clear_text_of_an_event_logged_before_sealing_is_shown_as_it_is() -> None:
    log, booking = Log(), uuid.uuid4()
    view = hotel(log, {})
    envelope = log.add(booking, StayBooked(**stay(booking, "DBL", NIGHT, 2)))
    assert needs(envelope).key_ids == set()
    apply_event(view, envelope)
    assert page(view, booking)["guest"] == {"guest_id": "g-1", "name": "Ann", "email": "ann@example.com"}


def test_needs_reports_the_keys_of_the_texts_a_page_shows_and_no_other() -> None:
    log, booking, other = Log(), uuid.uuid4(), uuid.uuid4()
    assert needs(log.add(booking, sealed_stay(booking))).key_ids == {KEY_ID}
    assert needs(log.add(booking, cancelled(booking, sealed("moved", other)))).key_ids == {other}
    at = datetime(2027, 2, 1, tzinfo=UTC)
    changed = GuestContactChanged(
        booking_id=booking, hotel_id=HOTEL, guest_id="g-1", email=sealed("new@example.com"), changed_at=at
    )
    assert needs(log.add(booking, changed)).key_ids == {KEY_ID}
    mail = GuestNotificationRequested(
        booking_id=booking,
        hotel_id=HOTEL,
        guest_id="g-1",
        email=sealed("a@b.example"),
        template="booking_confirmed",
    )
    assert needs(log.add(booking, mail)).key_ids == set()  # the page does not show it: the notifier opens it


def test_a_key_not_loaded_is_a_failure_to_retry_not_an_erasure() -> None:
    log, booking = Log(), uuid.uuid4()
    view = hotel(log, {})
    with pytest.raises(ProjectionError, match="not loaded") as raised:
        apply_event(view, log.add(booking, sealed_stay(booking)))
    assert not isinstance(raised.value, RefusedEventError)
    assert view.get(BOOKINGS, str(booking)) is None


def test_a_text_that_does_not_open_under_its_key_is_refused() -> None:
    log, booking = Log(), uuid.uuid4()
    view = hotel(log, {KEY_ID: os.urandom(32)})  # another key under the same id: tampered
    with pytest.raises(RefusedEventError, match="does not open"):
        apply_event(view, log.add(booking, sealed_stay(booking)))


def test_guest_data_erased_erases_name_address_and_reason_and_keeps_the_booking() -> None:
    log, booking = Log(), uuid.uuid4()
    view = hotel(log, {KEY_ID: KEY})
    apply_event(view, log.add(booking, sealed_stay(booking)))
    apply_event(view, log.add(booking, cancelled(booking, sealed("my wife's surgery"))))
    assert page(view, booking)["cancellation_reason"] == "my wife's surgery"
    erasure = log.add(booking, erased(booking))
    apply_event(view, erasure)
    document = page(view, booking)
    assert document["guest"] == {"guest_id": "g-1", "name": ERASED, "email": ERASED, "erased": True}
    assert document["cancellation_reason"] == ERASED
    assert (document["status"], document["version"], document["total_price"]) == (
        "cancelled",
        3,
        {"amount": "200.00", "currency": "EUR"},
    )
    state = view.documents()
    apply_event(view, erasure)  # redelivered
    assert view.documents() == state


def test_a_replay_after_the_erasure_gives_the_live_documents() -> None:
    log, booking = Log(), uuid.uuid4()
    live = hotel(log, {KEY_ID: KEY})
    for event in (sealed_stay(booking), cancelled(booking, sealed("moved")), erased(booking)):
        apply_event(live, log.add(booking, event))
    replayed = ReadView(keys={KEY_ID: None})  # the key is gone when the log is replayed
    for envelope in log.envelopes:
        apply_event(replayed, envelope)
    assert replayed.documents() == live.documents()


def test_an_address_sealed_under_a_new_key_after_the_erasure_shows_in_clear() -> None:
    log, booking, new_id, new_key = Log(), uuid.uuid4(), uuid.uuid4(), os.urandom(32)
    view = hotel(log, {KEY_ID: None, new_id: new_key})
    apply_event(view, log.add(booking, sealed_stay(booking)))
    apply_event(view, log.add(booking, erased(booking)))
    changed = GuestContactChanged(booking_id=booking, hotel_id=HOTEL, guest_id="g-1",
                                  email=sealed("new@example.com", new_id, new_key),
                                  changed_at=datetime(2027, 3, 1, tzinfo=UTC))  # fmt: skip
    apply_event(view, log.add(booking, changed))
    guest = page(view, booking)["guest"]
    assert guest == {"guest_id": "g-1", "name": ERASED, "email": "new@example.com", "erased": True}
