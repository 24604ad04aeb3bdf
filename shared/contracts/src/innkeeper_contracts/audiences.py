"""Who may send a command: each command is one of the kinds below, which names its audience and the
fields the command service's access policy reads (`command_service.application.access`); the API
documents say it in these words. An admin, and a service granted the command, may always send it."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from .contract import Contract
from .values import GuestId

Audience = Literal["admins", "hotel_staff", "guests_and_hotel_staff", "booking_parties", "the_guest"]
"""`admins`: no one else. `hotel_staff`: staff of the hotel the command names. `guests_and_hotel_staff`:
a guest for themself, or staff of the hotel, naming the guest. `booking_parties`: the guest of the booking
the command names (another guest is told it does not exist), or staff of its hotel. `the_guest`: the
guest the command names, themself (staff may not)."""

_WHO: dict[Audience, str] = {
    "admins": "an admin, or a service granted `{command}`.",
    "hotel_staff": "staff of the hotel, an admin, or a service granted `{command}`.",
    "guests_and_hotel_staff": "a guest for themself (`guest.guest_id` is their token's subject, filled in "
    "when left out), staff of the hotel, an admin, or a service granted `{command}`; the others name the "
    "guest's id.",
    "booking_parties": "the booking's guest (another guest's booking answers 404), staff of its hotel, an "
    "admin, or a service granted `{command}`.",
    "the_guest": "the guest themself (`guest_id` is their token's subject), an admin, or a service granted "
    "`{command}`; staff may not.",
}


def who_may_send(command: str, audience: Audience) -> str:
    """The sentence the API documents give for who may send `command`."""
    return _WHO[audience].format(command=command)


class AdminCommand(Contract):
    """A command for admins alone."""

    audience: ClassVar[Audience] = "admins"


class HotelStaffCommand(Contract):
    """A command about one hotel, for its staff."""

    audience: ClassVar[Audience] = "hotel_staff"
    hotel_id: UUID


class GuestOrStaffCommand(Contract):
    """A command a guest sends for themself, or staff of the hotel for a guest they name."""

    audience: ClassVar[Audience] = "guests_and_hotel_staff"


class BookingPartyCommand(Contract):
    """A command about one booking, for its guest or staff of its hotel."""

    audience: ClassVar[Audience] = "booking_parties"
    booking_id: UUID


class GuestCommand(Contract):
    """A command about one guest's own data, for that guest themself (not staff of their hotels)."""

    audience: ClassVar[Audience] = "the_guest"
    guest_id: GuestId
