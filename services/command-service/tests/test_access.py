"""The access policy, command by command and caller by caller (no database: a booking directory fake).

The same table is checked against the running services in tests/integration/security."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from command_builders import book_stay, register_hotel

from command_service.application.access import (
    AccessPolicy,
    BookingParties,
    ForbiddenError,
    UnauthenticatedError,
)
from command_service.application.rejections import problem_of
from command_service.domain.errors import BookingNotFoundError, CommandError
from innkeeper_contracts import (
    BookingGuest,
    BookStay,
    CancelBooking,
    ChangeRoomCapacity,
    Contract,
    EraseGuestData,
    Money,
    SetManagementContact,
    SetNightlyRate,
)
from innkeeper_kit.auth import Principal

HOTEL, OTHER_HOTEL, BOOKING = uuid4(), uuid4(), uuid4()
CHECK_IN = date(2031, 5, 1)


class Directory:
    async def of(self, booking_id: UUID) -> BookingParties | None:
        return BookingParties(HOTEL, "g-1") if booking_id == BOOKING else None


POLICY = AccessPolicy(
    {"portal": frozenset({"BookStay", "CancelBooking"}), "ops": frozenset({"*"})}, Directory()
)
CALLERS: dict[str, Principal | None] = {
    "anonymous": None,
    "guest": Principal("g-1", "guest"),
    "other guest": Principal("g-2", "guest"),
    "staff": Principal("s-1", "staff", frozenset({HOTEL})),
    "other staff": Principal("s-2", "staff", frozenset({OTHER_HOTEL})),
    "admin": Principal("a-1", "admin"),
    "portal": Principal("portal", "service"),
    "ops": Principal("ops", "service"),
}
COMMANDS: dict[str, Contract] = {
    "RegisterHotel": register_hotel(),
    "ChangeRoomCapacity": ChangeRoomCapacity(hotel_id=HOTEL, room_type="DBL", capacity=3),
    "SetNightlyRate": SetNightlyRate(
        hotel_id=HOTEL, room_type="DBL", nightly_rate=Money(amount=Decimal("1.00"), currency="EUR")
    ),
    "SetManagementContact": SetManagementContact(hotel_id=HOTEL, email="desk@inn.example"),
    "BookStay": book_stay(HOTEL, CHECK_IN),
    "CancelBooking": CancelBooking(booking_id=BOOKING, reason="plans changed"),
    "EraseGuestData": EraseGuestData(guest_id="g-1"),
}
OK, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND = 202, 401, 403, 404
EXPECTED = {  # caller: RegisterHotel, ChangeRoomCapacity, SetNightlyRate, SetManagementContact,
    # BookStay (for g-1), CancelBooking, EraseGuestData (g-1's: the guest themself, staff never)
    "anonymous": [UNAUTHENTICATED] * 7,
    "guest": [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK],
    "other guest": [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN],
    "staff": [FORBIDDEN, OK, OK, OK, OK, OK, FORBIDDEN],
    "other staff": [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
    "admin": [OK] * 7,
    "portal": [FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN],
    "ops": [OK] * 7,
}


async def status(caller: Principal | None, command: Contract) -> int:
    try:
        await POLICY.authorize(caller, command)
    except CommandError as error:
        return problem_of(error)[1]
    return OK


@pytest.mark.parametrize("caller", sorted(EXPECTED))
async def test_each_caller_may_send_what_the_table_says(caller: str) -> None:
    answers = [await status(CALLERS[caller], command) for command in COMMANDS.values()]
    assert dict(zip(COMMANDS, answers, strict=True)) == dict(zip(COMMANDS, EXPECTED[caller], strict=True))


async def test_a_guest_may_leave_out_their_id_and_it_is_filled_from_the_token() -> None:
    command = book_stay(HOTEL, CHECK_IN, guest=BookingGuest(name="Ann", email="ann@example.com"))
    authorized = await POLICY.authorize(CALLERS["guest"], command)
    assert isinstance(authorized, BookStay)
    assert authorized.guest.guest_id == "g-1"


async def test_subjects_of_common_identity_providers_are_guest_ids() -> None:
    command = book_stay(HOTEL, CHECK_IN, guest=BookingGuest(name="Ann", email="ann@example.com"))
    for subject in ("auth0|65f1c0ffee42", "google-oauth2|104935", "0b7c6a3e-2f1d-4c1e-9a5b-7f2d9c1e4a11"):
        authorized = await POLICY.authorize(Principal(subject, "guest"), command)
        assert isinstance(authorized, BookStay)
        assert authorized.guest.guest_id == subject


async def test_a_guest_whose_subject_is_no_guest_id_cannot_book() -> None:
    command = book_stay(HOTEL, CHECK_IN, guest=BookingGuest(name="Ann", email="ann@example.com"))
    with pytest.raises(ForbiddenError, match="not a valid guest id"):
        await POLICY.authorize(Principal("auth0|abc/def", "guest"), command)


async def test_an_unknown_booking_is_not_found_for_everyone_who_may_cancel() -> None:
    unknown = CancelBooking(booking_id=uuid4(), reason="x")
    for caller in ("guest", "staff", "admin"):
        with pytest.raises(BookingNotFoundError):
            await POLICY.authorize(CALLERS[caller], unknown)
    with pytest.raises(UnauthenticatedError):
        await POLICY.authorize(None, unknown)
