"""Value types shared by commands, events and read documents."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, EmailStr, Field, StrictInt, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from .contract import Contract as Contract
from .money import Money as Money
from .money import NightlyRate
from .personal import IN_CLEAR, KNOWN
from .personal import PersonalText as PersonalText
from .stay import Stay, StayDatesError, night_count
from .text import MULTI_LINE, ONE_LINE

MAX_NAME_LENGTH = 200
MAX_GUESTS = 20
"""The most guests one room takes."""
MAX_ROOMS = 10_000
"""The most rooms of one type in a hotel."""
MAX_ROOM_TYPES = 50
"""The most room types in one hotel."""
MAX_HOTEL_ROOMS = 100_000
"""The most rooms in one hotel, all its room types together: a night's read document lists every active
booking of the hotel that night, and this keeps it far below MongoDB's 16 MB (see the projector's
`projection/nights.py`)."""
ROOM_TYPE_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"
RoomTypeCode = Annotated[str, StringConstraints(pattern=ROOM_TYPE_CODE_PATTERN), Field(examples=["DBL"])]
GUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,127}$"
"""A guest's id, which is their token's subject when they act themselves: `|` for identity providers that
name the connection in it (Auth0: `auth0|65f1…`, `google-oauth2|1049…`), up to 128 characters."""
GuestId = Annotated[str, StringConstraints(pattern=GUEST_ID_PATTERN)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH), ONE_LINE
]
"""A name (of a hotel, city, room type, guest): one line."""
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME_LENGTH), MULTI_LINE
]
"""Free text someone gives (why a booking is cancelled): tabs and line breaks allowed."""
Message = Annotated[str, StringConstraints(min_length=1, max_length=500), ONE_LINE]
"""A message the system writes for people (an alert's): one line."""
Email = Annotated[EmailStr, Field(max_length=254)]
"""254 characters at most, the longest address SMTP carries (RFC 5321)."""


def check_out_of_a_stay(check_out: date, info: ValidationInfo) -> date:
    """Validates a `check_out` field (`field_validator("check_out")(check_out_of_a_stay)`) by the stay's
    rules (`stay.night_count`): 1 to `MAX_NIGHTS` nights after the model's `check_in` (when valid)."""
    if isinstance(check_in := info.data.get("check_in"), date):
        try:
            night_count(check_in, check_out)
        except StayDatesError as error:
            raise PydanticCustomError(error.kind, error.template, dict(error.context)) from None
    return check_out


def nights_of_the_stay(nights: int, info: ValidationInfo) -> int:
    """Validates a `nights` field after `check_in` and `check_out`: it is the number of nights between."""
    check_in, check_out = info.data.get("check_in"), info.data.get("check_out")
    if isinstance(check_in, date) and isinstance(check_out, date):
        days = Stay(check_in, check_out).night_count
        if nights != days:
            message = "nights is {nights}, but the stay has {days}"
            raise PydanticCustomError("nights_mismatch", message, {"nights": nights, "days": days})
    return nights


class Guest(Contract):
    """The person a booking is for, as the command service knows them (in clear)."""

    guest_id: GuestId
    name: Annotated[Name, KNOWN]
    email: Annotated[Email, KNOWN]


class SealedGuest(Contract):
    """The person a booking is for, as an event records them: name and address sealed under the guest's
    data key (clear in events logged before sealing existed)."""

    guest_id: GuestId
    name: PersonalText
    email: PersonalText


class BookingGuest(Contract):
    """The person a booking is for, as a command names them: a guest booking for themself may leave out
    `guest_id` (their token's subject is their guest id)."""

    guest_id: GuestId | None = Field(default=None, description="Required unless the caller is the guest.")
    name: Annotated[Name, IN_CLEAR]
    email: Annotated[Email, IN_CLEAR]

    def identified(self, guest_id: str) -> Guest:
        return Guest(guest_id=guest_id, name=self.name, email=self.email)


Role = Literal["guest", "staff", "admin", "service"]
"""What a caller may do: a guest for themself, staff for their hotels, an admin everything, a service
what it is granted."""


class Actor(Contract):
    """Who acted: the caller's subject (token `sub`, or the broker-verified AMQP user) and role."""

    subject: Annotated[str, StringConstraints(min_length=1, max_length=255), ONE_LINE]
    role: Role


class RoomTypeSpec(Contract):
    """A kind of room in a hotel: how many there are, who fits, what a night costs."""

    code: RoomTypeCode
    name: Name
    capacity: StrictInt = Field(ge=0, le=MAX_ROOMS, description="Number of rooms of this type.")
    max_guests: StrictInt = Field(ge=1, le=MAX_GUESTS)
    nightly_rate: NightlyRate


def _one_hotel_of_room_types(room_types: list[RoomTypeSpec]) -> list[RoomTypeSpec]:
    counts = Counter(room_type.code for room_type in room_types)
    if twice := sorted(code for code, count in counts.items() if count > 1):
        message = "room type codes must be unique within a hotel: {codes} more than once"
        raise PydanticCustomError("duplicate_room_type", message, {"codes": ", ".join(twice)})
    currencies = sorted({room_type.nightly_rate.currency for room_type in room_types})
    if len(currencies) > 1:
        message = "a hotel prices in one currency, not {currencies}"
        raise PydanticCustomError("mixed_currencies", message, {"currencies": ", ".join(currencies)})
    if (rooms := sum(room_type.capacity for room_type in room_types)) > MAX_HOTEL_ROOMS:
        message = "a hotel has at most {maximum} rooms, not {rooms}"
        raise PydanticCustomError("too_many_rooms", message, {"maximum": MAX_HOTEL_ROOMS, "rooms": rooms})
    return room_types


RoomTypes = Annotated[
    list[RoomTypeSpec],
    Field(
        min_length=1,
        max_length=MAX_ROOM_TYPES,
        description=f"Unique codes, all rates in one currency, at most {MAX_HOTEL_ROOMS} rooms in all.",
    ),
    AfterValidator(_one_hotel_of_room_types),
]
"""The room types of one hotel, as registering it sends them and as the event records them."""
