"""Events of the Booking aggregate: a stay booked, then perhaps cancelled with what follows from it."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from innkeeper_contracts.money import Money
from innkeeper_contracts.stay import MAX_NIGHTS
from innkeeper_contracts.values import (
    MAX_GUESTS,
    Email,
    Guest,
    GuestId,
    Message,
    Name,
    Reason,
    RoomTypeCode,
    check_out_of_a_stay,
    nights_of_the_stay,
)

from .base import BookingEvent

RefundPolicy = Literal["full", "half", "none"]
AlertKind = Literal["late_cancellation", "high_value_cancellation"]
NotificationTemplate = Literal["booking_confirmed", "booking_cancelled"]


def _check_out_if_given(check_out: date | None, info: ValidationInfo) -> date | None:
    # The stay's dates on a message are optional (events logged before they were carried have none).
    return None if check_out is None else check_out_of_a_stay(check_out, info)


class StayBooked(BookingEvent):
    """A room was booked for every night from check-in to check-out.

    Version 2 added `booked_at`; version 1 data is lifted to it by `innkeeper_contracts.upcasting`."""

    schema_version: ClassVar[int] = 2

    room_type: RoomTypeCode
    guest: Guest
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
    """An active booking was cancelled; its nights are free again."""

    room_type: RoomTypeCode
    guest_id: GuestId
    check_in: date
    check_out: date
    reason: Reason
    cancelled_at: datetime
    refund_policy: RefundPolicy
    refund: Money

    _check_out = field_validator("check_out")(check_out_of_a_stay)


class RefundIssued(BookingEvent):
    """Money goes back to the guest of a cancelled booking (only when the amount is above zero)."""

    guest_id: GuestId
    amount: Money
    policy: RefundPolicy


class GuestNotificationRequested(BookingEvent):
    """A message to the guest should be sent (by a mailer listening for this event), holding all the
    mail needs: the mailer keeps no state and reads nothing else. The fields after `template` are
    optional only because notifications logged before they were carried have none (they have `refund`);
    the command service fills every one that applies to the template."""

    guest_id: GuestId
    email: Email
    template: NotificationTemplate
    refund: Money | None = Field(default=None, description="Required for `booking_cancelled`.")
    guest_name: Name | None = None
    hotel_name: Name | None = None
    check_in: date | None = None
    check_out: date | None = None
    total_price: Money | None = None
    refund_policy: RefundPolicy | None = Field(default=None, description="Of a `booking_cancelled`.")

    _check_out = field_validator("check_out")(_check_out_if_given)

    @model_validator(mode="after")
    def _a_cancellation_says_what_is_refunded(self) -> GuestNotificationRequested:
        if self.template == "booking_cancelled" and self.refund is None:
            raise PydanticCustomError(
                "refund_required", "a booking_cancelled notification carries its refund (0 when none)"
            )
        return self


class ManagementAlertRaised(BookingEvent):
    """Management should look at a cancellation: a late one, or one of high value. The fields from
    `hotel_name` on are for the alert's mail (absent on alerts logged before they were carried);
    `management_email` is None when the hotel has no management contact: the alert cannot be mailed."""

    alert_id: UUID
    kinds: list[AlertKind] = Field(min_length=1, max_length=2)
    message: Message
    total_price: Money
    refund: Money
    raised_at: datetime
    hotel_name: Name | None = None
    management_email: Email | None = None
    check_in: date | None = None
    check_out: date | None = None

    _check_out = field_validator("check_out")(_check_out_if_given)
