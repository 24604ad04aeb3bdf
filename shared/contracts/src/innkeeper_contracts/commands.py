"""Commands: tasks a person or a service wants done. Same JSON over HTTP and AMQP; each declares its HTTP
route once (`http`), for the command service and the client alike."""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, get_args
from uuid import UUID

from pydantic import Field, StrictInt, field_validator

from . import command_bodies as bodies
from . import command_docs as docs
from .audiences import (
    AdminCommand,
    BookingPartyCommand,
    GuestCommand,
    GuestOrStaffCommand,
    HotelStaffCommand,
)
from .http_binding import HttpBinding
from .money import NightlyRate
from .personal import IN_CLEAR
from .stay import BOOKING_HORIZON_DAYS, MAX_NIGHTS
from .values import (
    MAX_GUESTS,
    MAX_ROOMS,
    BookingGuest,
    Email,
    Name,
    Reason,
    RoomTypeCode,
    RoomTypes,
    check_out_of_a_stay,
)


class RegisterHotel(AdminCommand):
    """Register a hotel with its room types."""

    http: ClassVar[HttpBinding] = HttpBinding("POST /hotels", docs.REGISTER_HOTEL)
    hotel_id: UUID | None = Field(default=None, description="Chosen by the server when absent.")
    name: Name
    city: Name
    stars: StrictInt = Field(ge=1, le=5)
    room_types: RoomTypes
    management_email: Email | None = Field(
        default=None, description="Where management alerts go (late or high-value cancellations)."
    )


class ChangeRoomCapacity(HotelStaffCommand):
    """Set how many rooms of a type a hotel has (never below what is booked on any night)."""

    http: ClassVar[HttpBinding] = HttpBinding(
        "POST /hotels/{hotel_id}/room-types/{code}/capacity",
        docs.CHANGE_ROOM_CAPACITY,
        bodies.ChangeRoomCapacityBody,
    )
    room_type: RoomTypeCode
    capacity: StrictInt = Field(ge=0, le=MAX_ROOMS)


class SetNightlyRate(HotelStaffCommand):
    """Set the price of one night in a room type, for bookings made from now on."""

    http: ClassVar[HttpBinding] = HttpBinding(
        "POST /hotels/{hotel_id}/room-types/{code}/rate", docs.SET_NIGHTLY_RATE, bodies.SetNightlyRateBody
    )
    room_type: RoomTypeCode
    nightly_rate: NightlyRate


class SetManagementContact(HotelStaffCommand):
    """Send the hotel's management alerts (late or high-value cancellations) to this address from now on."""

    http: ClassVar[HttpBinding] = HttpBinding(
        "PUT /hotels/{hotel_id}/management-contact",
        docs.SET_MANAGEMENT_CONTACT,
        bodies.SetManagementContactBody,
    )
    email: Email


class BookStay(GuestOrStaffCommand):
    """Book a room of a type for a guest, every night from check-in to check-out."""

    http: ClassVar[HttpBinding] = HttpBinding("POST /bookings", docs.BOOK_STAY)
    booking_id: UUID | None = Field(default=None, description="Chosen by the server when absent.")
    hotel_id: UUID
    room_type: RoomTypeCode
    guest: BookingGuest
    check_in: date = Field(
        description=f"Today (UTC) or later, and at most {BOOKING_HORIZON_DAYS} days after today."
    )
    check_out: date = Field(description=f"After check_in, by at most {MAX_NIGHTS} nights.")
    guests: StrictInt = Field(ge=1, le=MAX_GUESTS)

    _check_out = field_validator("check_out")(check_out_of_a_stay)


class CancelBooking(BookingPartyCommand):
    """Cancel an active booking: refund by policy, tell the guest, alert management if it matters."""

    http: ClassVar[HttpBinding] = HttpBinding(
        "POST /bookings/{booking_id}/cancel", docs.CANCEL_BOOKING, bodies.CancelBookingBody
    )
    reason: Annotated[Reason, IN_CLEAR]


class ChangeGuestContact(BookingPartyCommand):
    """Send what concerns this booking to a new e-mail address of its guest (while the stay is ahead)."""

    http: ClassVar[HttpBinding] = HttpBinding(
        "PUT /bookings/{booking_id}/guest-contact", docs.CHANGE_GUEST_CONTACT, bodies.ChangeGuestContactBody
    )
    email: Annotated[Email, IN_CLEAR]


class EraseGuestData(GuestCommand):
    """Erase the guest's personal data: their data key is deleted, so their name, e-mail address and the
    reasons they gave, sealed under it in every event, no longer open anywhere (the log, read documents,
    parked events, dead letters); every booking of the guest records `GuestDataErased`, and read
    documents show `[erased]`. The bookings themselves stay. A later booking by the guest makes a new
    key; a mail about a booking made before cannot be sent any more."""

    http: ClassVar[HttpBinding] = HttpBinding("POST /guests/{guest_id}/erase", docs.ERASE_GUEST_DATA)


Command = (
    RegisterHotel
    | ChangeRoomCapacity
    | SetNightlyRate
    | SetManagementContact
    | BookStay
    | CancelBooking
    | ChangeGuestContact
    | EraseGuestData
)

COMMANDS: dict[str, type[Command]] = {model.__name__: model for model in get_args(Command)}
"""Command name (also its AMQP routing key) → model."""
