"""What a booking asks to be told, and to whom: a message to its guest, an alert to the hotel's management."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from innkeeper_contracts.money import Money
from innkeeper_contracts.personal import sealed_description
from innkeeper_contracts.values import Email, GuestId, Message, Name, PersonalText, check_out_of_a_stay

from .base import BookingEvent
from .booking import RefundPolicy

AlertKind = Literal["late_cancellation", "high_value_cancellation"]
NotificationTemplate = Literal["booking_confirmed", "booking_cancelled"]


def _check_out_if_given(check_out: date | None, info: ValidationInfo) -> date | None:
    # The stay's dates on a message are optional (events logged before they were carried have none).
    return None if check_out is None else check_out_of_a_stay(check_out, info)


class GuestNotificationRequested(BookingEvent):
    """A message to the guest should be sent (by a mailer listening for this event), holding all the
    mail needs: the mailer keeps no state and reads nothing else. The fields after `template` are
    optional only because notifications logged before they were carried have none (they have `refund`);
    the command service fills every one that applies to the template. Version 2 seals the guest's address
    and name (the mailer opens them with the guest's key; once it is erased, nothing is sent)."""

    schema_version: ClassVar[int] = 2

    guest_id: GuestId
    email: PersonalText = Field(
        description=sealed_description("the guest's e-mail address", "GuestNotificationRequested")
    )
    template: NotificationTemplate
    refund: Money | None = Field(default=None, description="Required for `booking_cancelled`.")
    guest_name: PersonalText | None = Field(
        default=None, description=sealed_description("the guest's name", "GuestNotificationRequested")
    )
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
