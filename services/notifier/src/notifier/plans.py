"""Which deliveries an event asks for: pure, so a test reads it like the table in the README.

The command side decides what is sent (`GuestNotificationRequested` names its template, a
`ManagementAlertRaised` carries the hotel's management address); webhooks go to each subscriber that
asked for the event's type. The notifier keeps no state of hotels or bookings and guesses nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal
from uuid import UUID

from innkeeper_contracts import EventEnvelope, GuestNotificationRequested, ManagementAlertRaised
from innkeeper_kit.personal import is_sealed, sealed_key_ids

from .settings import WebhookSubscriber

Channel = Literal["mail", "webhook"]
MAIL_EVENTS = ("GuestNotificationRequested", "ManagementAlertRaised")
ERASURE_EVENT = "GuestDataErased"
"""Not delivered: it cancels the open deliveries to the guest it names (`erasures.py`)."""
NO_CONTACT = "(no management contact)"
GUEST_RECIPIENT = "guest:"
"""The recipient recorded for a mail to a guest whose address is sealed: `guest:<guest id>`. The address
is opened from the event at send time (`guest_data.py`); the record never holds it in clear. A legacy
event's clear address is recorded as it is (so the records made before sealing keep their keys)."""


@dataclass(frozen=True)
class PlannedDelivery:
    """One message to one recipient over one channel; `undeliverable` says why it cannot be sent at all.
    `traceparent`: the trace context its send is a span of (the intake sets it when tracing is on)."""

    channel: Channel
    recipient: str
    template: str
    undeliverable: str | None = None
    traceparent: str | None = None
    guest_id: str | None = None
    """The guest a mail goes to: their erasure cancels it while it is open."""
    key_ids: frozenset[UUID] = frozenset()
    """The guests' data keys its event's sealed texts need: their erasure cancels it too."""


def deliveries_for(
    envelope: EventEnvelope, subscribers: Sequence[WebhookSubscriber]
) -> list[PlannedDelivery]:
    """What one event asks for. Raises the contract's `ValidationError` for an event whose data is
    invalid, `SealingError` (a ValueError too) for a sealed text without a key id."""
    planned = list(_mails(envelope))
    planned += [
        PlannedDelivery("webhook", subscriber.name, "webhook")
        for subscriber in subscribers
        if envelope.event_type in subscriber.events
    ]
    if keys := frozenset(sealed_key_ids(envelope.data)):
        return [replace(delivery, key_ids=keys) for delivery in planned]
    return planned


def _mails(envelope: EventEnvelope) -> Iterable[PlannedDelivery]:
    if envelope.event_type not in MAIL_EVENTS:
        return
    match envelope.event():
        case GuestNotificationRequested(email=email, template=template, guest_id=guest_id):
            recipient = f"{GUEST_RECIPIENT}{guest_id}" if is_sealed(email) else email
            yield PlannedDelivery("mail", recipient, template, guest_id=guest_id)
        case ManagementAlertRaised(management_email=str(address)):
            yield PlannedDelivery("mail", address, "management_alert")
        case ManagementAlertRaised():
            reason = "the hotel has no management contact (SetManagementContact sets one)"
            yield PlannedDelivery("mail", NO_CONTACT, "management_alert", undeliverable=reason)


def event_types_wanted(subscribers: Sequence[WebhookSubscriber]) -> set[str]:
    """Every event type the notifier consumes: the mail events, the guests' erasures and what the
    subscribers asked for."""
    return {*MAIL_EVENTS, ERASURE_EVENT}.union(*(subscriber.events for subscriber in subscribers))
