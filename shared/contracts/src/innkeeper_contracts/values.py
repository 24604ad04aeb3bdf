"""Value types shared by commands, events and read documents."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, PlainSerializer, StringConstraints

CENT = Decimal("0.01")


class Contract(BaseModel):
    """Base of every wire model: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _two_places(value: Decimal) -> str:
    return str(value.quantize(CENT))


Amount = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2, examples=["120.00"]),
    PlainSerializer(_two_places, return_type=str, when_used="json"),
]
"""A money amount: a decimal with at most two places, sent as a string ("120.00"); never a float."""

CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(examples=["EUR"])]
RoomTypeCode = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"), Field(examples=["DBL"])
]
GUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:|-]{0,127}$"
"""A guest's id, which is their token's subject when they act themselves: `|` for identity providers that
name the connection in it (Auth0: `auth0|65f1…`, `google-oauth2|1049…`), up to 128 characters."""
GuestId = Annotated[str, StringConstraints(pattern=GUEST_ID_PATTERN)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = EmailStr


class Money(Contract):
    """An amount in one currency."""

    amount: Amount
    currency: CurrencyCode

    def __mul__(self, factor: int) -> Money:
        return Money(amount=(self.amount * factor).quantize(CENT), currency=self.currency)


class Guest(Contract):
    """The person a booking is for."""

    guest_id: GuestId
    name: Name
    email: Email


class BookingGuest(Contract):
    """The person a booking is for, as a command names them: a guest booking for themself may leave out
    `guest_id` (their token's subject is their guest id)."""

    guest_id: GuestId | None = Field(default=None, description="Required unless the caller is the guest.")
    name: Name
    email: Email

    def identified(self, guest_id: str) -> Guest:
        return Guest(guest_id=guest_id, name=self.name, email=self.email)


Role = Literal["guest", "staff", "admin", "service"]
"""What a caller may do: a guest for themself, staff for their hotels, an admin everything, a service
what it is granted."""


class Actor(Contract):
    """Who acted: the caller's subject (token `sub`, or the broker-verified AMQP user) and role."""

    subject: str = Field(min_length=1, max_length=255)
    role: Role


class RoomTypeSpec(Contract):
    """A kind of room in a hotel: how many there are, who fits, what a night costs."""

    code: RoomTypeCode
    name: Name
    capacity: int = Field(ge=0, le=10_000, description="Number of rooms of this type.")
    max_guests: int = Field(ge=1, le=20)
    nightly_rate: Money
