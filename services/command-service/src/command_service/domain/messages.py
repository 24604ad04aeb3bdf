"""What a booking asks to tell people: its guest's mails and management's alerts.

The mailer that acts on these events keeps no state and reads nothing else, so each event holds all its
message says: who, which hotel, which stay, what it costs and, for a cancellation, what is refunded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, uuid5

from command_service.domain.refunds import CancellationTerms
from innkeeper_contracts import GuestNotificationRequested, ManagementAlertRaised, Money
from innkeeper_contracts.events import NotificationTemplate

if TYPE_CHECKING:
    from command_service.domain.booking import Booking


@dataclass(frozen=True)
class HotelContact:
    """The booking's hotel as its messages name it: its name and, for a cancellation's alert, where
    management alerts go (None: the hotel has no contact, the alert cannot be mailed). A booking being
    made reads no address: nothing goes to management then."""

    name: str
    management_email: str | None = None


def guest_notification(
    booking: Booking, template: NotificationTemplate, terms: CancellationTerms | None = None
) -> GuestNotificationRequested:
    """The guest's mail about this booking: `terms` are a cancellation's (what is refunded, and why)."""
    return GuestNotificationRequested(
        booking_id=booking.id,
        hotel_id=booking.stay.hotel_id,
        guest_id=booking.guest.guest_id,
        email=booking.guest.email,
        template=template,
        guest_name=booking.guest.name,
        hotel_name=booking.hotel.name,
        check_in=booking.stay.check_in,
        check_out=booking.stay.check_out,
        total_price=booking.total_price,
        refund=None if terms is None else terms.refund,
        refund_policy=None if terms is None else terms.policy,
    )


def management_alert(booking: Booking, terms: CancellationTerms, now: datetime) -> ManagementAlertRaised:
    """Management's alert about a cancellation the terms say matters (late, high value, or both)."""
    return ManagementAlertRaised(
        booking_id=booking.id,
        hotel_id=booking.stay.hotel_id,
        # One alert per booking (a booking is cancelled once): its id is derived, not drawn.
        alert_id=uuid5(NAMESPACE_URL, f"innkeeper:alert:{booking.id}"),
        kinds=terms.alert_kinds,
        message=_alert_message(terms, booking.total_price),
        total_price=booking.total_price,
        refund=terms.refund,
        raised_at=now,
        hotel_name=booking.hotel.name,
        management_email=booking.hotel.management_email,
        check_in=booking.stay.check_in,
        check_out=booking.stay.check_out,
    )


def _alert_message(terms: CancellationTerms, total: Money) -> str:
    what = " and ".join(kind.replace("_", " ") for kind in terms.alert_kinds)
    return (
        f"{what}: {total.amount} {total.currency} booking cancelled, refund {terms.policy} "
        f"({terms.refund.amount})"
    )
