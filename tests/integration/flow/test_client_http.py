"""The integrators' HTTP client against the running system: every command and every query, each read
after its write by the command's consistency token, and the errors a caller has to tell apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from testkit.auth import issuer
from testkit.innkeeper import Innkeeper

from innkeeper_client import (
    AuthenticationError,
    CommandRejectedError,
    ConflictError,
    InnkeeperClient,
    NotFoundError,
)
from innkeeper_contracts import (
    BookStay,
    CancelBooking,
    ChangeRoomCapacity,
    RegisterHotel,
    SetManagementContact,
    SetNightlyRate,
)

GUEST = "guest-client-test"


def client(system: Innkeeper, token: str | None) -> InnkeeperClient:
    assert system.command is not None
    return InnkeeperClient(command_url=system.command.url, query_url=system.queries[0].url, token=token)


def hotel() -> RegisterHotel:
    rate = {"amount": "180.00", "currency": "EUR"}
    return RegisterHotel.model_validate(
        {
            "name": "Client Test Inn",
            "city": f"Clientville {uuid4().hex[:6]}",
            "stars": 3,
            "room_types": [
                {"code": "DBL", "name": "Double", "capacity": 2, "max_guests": 2, "nightly_rate": rate}
            ],
        }
    )


def stay(hotel_id: object, days_ahead: int) -> BookStay:
    check_in = datetime.now(UTC).date() + timedelta(days=days_ahead)
    guest = {"guest_id": GUEST, "name": "Ann Berg", "email": "ann@example.com"}
    return BookStay.model_validate(
        {
            "hotel_id": str(hotel_id),
            "room_type": "DBL",
            "guest": guest,
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(),
            "guests": 2,
        }
    )


@pytest.mark.slow
async def test_every_command_and_query_over_the_client(innkeeper: Innkeeper) -> None:
    system = await innkeeper.start()
    async with client(system, issuer().token("admin", "client-admin")) as admin:
        registered = await admin.register_hotel(hotel())
        hotel_id = registered.aggregate_id
        assert (await admin.get_hotel(hotel_id, after=registered)).name == "Client Test Inn"

        capacity = await admin.change_room_capacity(
            ChangeRoomCapacity(hotel_id=hotel_id, room_type="DBL", capacity=5)
        )
        assert (await admin.get_hotel(hotel_id, after=capacity)).room_types[0].capacity == 5
        rate = SetNightlyRate.model_validate(
            {
                "hotel_id": str(hotel_id),
                "room_type": "DBL",
                "nightly_rate": {"amount": "200.00", "currency": "EUR"},
            }
        )
        rated = await admin.set_nightly_rate(rate)
        detail = await admin.get_hotel(hotel_id, after=rated)
        assert str(detail.room_types[0].nightly_rate.amount) == "200.00"
        contact = await admin.set_management_contact(
            SetManagementContact(hotel_id=hotel_id, email="desk@example.com")
        )
        page = await admin.search_hotels(city=detail.city, after=contact)
        assert [card.hotel_id for card in page.items] == [hotel_id]

        booked = await admin.book_stay(stay(hotel_id, days_ahead=1), idempotency_key=f"book-{uuid4().hex}")
        booking = await admin.get_booking(booked.aggregate_id, after=booked)
        assert (booking.status, booking.guest.guest_id) == ("active", GUEST)
        availability = await admin.get_hotel_availability(
            hotel_id, booking.check_in, booking.check_out, after=booked
        )
        assert [night.booked for night in availability.nights] == [1, 1]
        bookings = await admin.list_guest_bookings(GUEST, after=booked)
        assert [found.booking_id for found in bookings.items] == [booked.aggregate_id]

        # Under 48 h before check-in: no refund, and management is alerted.
        cancelled = await admin.cancel_booking(
            CancelBooking(booking_id=booked.aggregate_id, reason="plans changed")
        )
        assert (await admin.get_booking(booked.aggregate_id, after=cancelled)).status == "cancelled"
        alerts = await admin.list_management_alerts(after=cancelled)
        assert booked.aggregate_id in {alert.booking_id for alert in alerts.items}

        with pytest.raises(ConflictError) as twice:
            await admin.cancel_booking(CancelBooking(booking_id=booked.aggregate_id, reason="again"))
        assert isinstance(twice.value, CommandRejectedError)
        assert twice.value.problem is not None
        assert twice.value.problem.status == 409
        with pytest.raises(NotFoundError):
            await admin.get_booking(uuid4())


@pytest.mark.slow
async def test_a_repeated_key_gives_the_first_answer_and_no_token_is_refused(innkeeper: Innkeeper) -> None:
    system = await innkeeper.start()
    async with client(system, issuer().token("admin", "client-admin")) as admin:
        hotel_id = (await admin.register_hotel(hotel())).aggregate_id
        command, key = stay(hotel_id, days_ahead=5), f"book-{uuid4().hex}"
        first = await admin.book_stay(command, idempotency_key=key)
        again = await admin.book_stay(command, idempotency_key=key)
        assert again.aggregate_id == first.aggregate_id
        assert again.consistency_token == first.consistency_token
        availability = await admin.get_hotel_availability(
            hotel_id, command.check_in, command.check_out, after=again
        )
        assert [night.booked for night in availability.nights] == [1, 1]
    async with client(system, None) as anonymous:
        assert (await anonymous.get_hotel(hotel_id)).hotel_id == hotel_id  # the catalogue is public
        with pytest.raises(AuthenticationError) as refused:
            await anonymous.book_stay(stay(hotel_id, days_ahead=5))
        assert isinstance(refused.value, CommandRejectedError)
