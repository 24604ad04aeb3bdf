"""Events of the Booking aggregate: a stay booked, its guest's contact changed, perhaps cancelled with the
refund that follows, its guest's personal data erased (the messages it asks for: `notifications`).

Personal fields (a guest's name, address, the reason they give) are `PersonalText`: sealed under the
guest's data key from the schema versions `personal.SEALED_FROM_VERSION` names, clear text before."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from innkeeper_contracts.money import Money
from innkeeper_contracts.personal import sealed_description
from innkeeper_contracts.stay import MAX_NIGHTS
from innkeeper_contracts.values import (
    MAX_GUESTS,
    GuestId,
    PersonalText,
    RoomTypeCode,
    SealedGuest,
    check_out_of_a_stay,
    nights_of_the_stay,
)

from .base import BookingEvent

RefundPolicy = Literal["full", "half", "none"]


class StayBooked(BookingEvent):
    """A room was booked for every night from check-in to check-out.

    Version 2 added `booked_at`; version 1 data is lifted to it by `innkeeper_contracts.upcasting`.
    Version 3 seals the guest's name and e-mail address (`SealedGuest`); older data keeps them clear."""

    schema_version: ClassVar[int] = 3

    room_type: RoomTypeCode
    guest: SealedGuest = Field(description=sealed_description("name and e-mail address", "StayBooked"))
    check_in: date
    check_out: date
    nights: int = Field(ge=1, le=MAX_NIGHTS)
    guests: int = Field(ge=1, le=MAX_GUESTS)
    nightly_rate: Money
    total_price: Money = Field(description="The nightly rate times the nights, in the rate's currency.")
    booked_at: AwareDatetime = Field(
        description="When the guest booked (since version 2; version 1: the event's occurred_at)."
    )

    _check_out = field_validator("check_out")(check_out_of_a_stay)
    _nights = field_validator("nights")(nights_of_the_stay)

    @field_validator("total_price")
    @classmethod
    def _every_night_at_the_rate(cls, total: Money, info: ValidationInfo) -> Money:
        rate, nights = info.data.get("nightly_rate"), info.data.get("nights")
        if not isinstance(rate, Money) or not isinstance(nights, int):
            return total  # their own errors say what is wrong
        if total.currency != rate.currency:
            message = "total_price is in {total}, the nightly rate in {rate}"
            raise PydanticCustomError(
                "currency_mismatch", message, {"total": total.currency, "rate": rate.currency}
            )
        if total.amount != rate.amount * nights:
            message = "total_price is {total}, but {nights} nights at {rate} make {expected}"
            context = {"total": str(total.amount), "nights": nights, "rate": str(rate.amount)}
            raise PydanticCustomError(
                "total_mismatch", message, context | {"expected": str(rate.amount * nights)}
            )
        return total


class BookingCancelled(BookingEvent):
    """An active booking was cancelled; its nights are free again. Version 2 seals the reason (free text a
    guest may have written)."""

    schema_version: ClassVar[int] = 2

    room_type: RoomTypeCode
    guest_id: GuestId
    check_in: date
    check_out: date
    reason: PersonalText = Field(description=sealed_description("the reason given", "BookingCancelled"))
    cancelled_at: datetime
    refund_policy: RefundPolicy
    refund: Money

    _check_out = field_validator("check_out")(check_out_of_a_stay)


class RefundIssued(BookingEvent):
    """Money goes back to the guest of a cancelled booking (only when the amount is above zero)."""

    guest_id: GuestId
    amount: Money
    policy: RefundPolicy


class GuestContactChanged(BookingEvent):
    """The guest gave a new e-mail address for this booking: later messages about it go there. Version 2
    seals the address."""

    schema_version: ClassVar[int] = 2

    guest_id: GuestId
    email: PersonalText = Field(
        description=sealed_description("the new e-mail address", "GuestContactChanged")
    )
    changed_at: AwareDatetime


class GuestDataErased(BookingEvent):
    """The guest of this booking had their personal data erased: their data key is deleted, so every
    sealed text under it (in this booking's events and everywhere they were copied) no longer opens, and
    readers show `[erased]` instead. The booking itself stays. Recorded on every booking of the guest;
    it holds no personal data."""

    guest_id: GuestId
    erased_at: AwareDatetime
    key_ids: list[UUID] = Field(
        max_length=100,
        description="The guest's data keys deleted by this erasure (empty when none was left): readers"
        " that keep keys in memory drop these.",
    )
