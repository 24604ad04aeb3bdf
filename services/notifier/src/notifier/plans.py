"""Which deliveries an event asks for: pure, so a test reads it like the table in the README.

The command side decides what is sent (`GuestNotificationRequested` names its template, a
`ManagementAlertRaised` carries the hotel's management address); webhooks go to each subscriber that
asked for the event's type. The notifier keeps no state of hotels or bookings and guesses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from innkeeper_contracts import EventEnvelope, GuestNotificationRequested, ManagementAlertRaised

from .settings import WebhookSubscriber

Channel = Literal["mail", "webhook"]
MAIL_EVENTS = ("GuestNotificationRequested", "ManagementAlertRaised")
NO_CONTACT = "(no management contact)"


@dataclass(frozen=True)
class PlannedDelivery:
    """One message to one recipient over one channel; `undeliverable` says why it cannot be sent at all.
    `traceparent`: the trace context its send is a span of (the intake sets it when tracing is on)."""

    channel: Channel
    recipient: str
    template: str
    undeliverable: str | None = None
    traceparent: str | None = None


def deliveries_for(
    envelope: EventEnvelope, subscribers: Sequence[WebhookSubscriber]
) -> list[PlannedDelivery]:
    """What one event asks for. Raises the contract's `ValidationError` for an event whose data is invalid."""
    planned = list(_mails(envelope))
    planned += [
        PlannedDelivery("webhook", subscriber.name, "webhook")
        for subscriber in subscribers
        if envelope.event_type in subscriber.events
    ]
    return planned


def _mails(envelope: EventEnvelope) -> Iterable[PlannedDelivery]:
    if envelope.event_type not in MAIL_EVENTS:
        return
    match envelope.event():
        case GuestNotificationRequested(email=email, template=template):
            yield PlannedDelivery("mail", email, template)
        case ManagementAlertRaised(management_email=str(address)):
            yield PlannedDelivery("mail", address, "management_alert")
        case ManagementAlertRaised():
            reason = "the hotel has no management contact (SetManagementContact sets one)"
            yield PlannedDelivery("mail", NO_CONTACT, "management_alert", undeliverable=reason)


def event_types_wanted(subscribers: Sequence[WebhookSubscriber]) -> set[str]:
    """Every event type the notifier consumes: the mail events and what the subscribers asked for."""
    return set(MAIL_EVENTS).union(*(subscriber.events for subscriber in subscribers))
