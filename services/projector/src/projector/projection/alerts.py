"""Management alerts → the alert feed (and the booking page's version)."""

from __future__ import annotations

from innkeeper_contracts import BookingEvent, EventEnvelope, ManagementAlertRaised
from innkeeper_contracts.documents import HOTEL_DETAILS, MANAGEMENT_ALERTS, ManagementAlert

from .bookings import advance_version
from .declaration import Handles, booking_documents
from .hotels import with_id
from .view import DocKey, ReadView, required, taken

ALERT_FIELDS = sorted(
    ManagementAlertRaised.model_fields.keys() & ManagementAlert.model_fields.keys() - {"hotel_name"}
)
"""What an alert of the feed takes from `ManagementAlertRaised` as it is (the hotel's name comes from
its page)."""


def on_alert_raised(view: ReadView, envelope: EventEnvelope, event: ManagementAlertRaised) -> None:
    alert_id = str(event.alert_id)
    if view.get(MANAGEMENT_ALERTS, alert_id) is None:
        hotel = required(view, HOTEL_DETAILS, str(event.hotel_id))
        alert = ManagementAlert(**taken(event, ALERT_FIELDS), hotel_name=hotel["name"])
        view.put(MANAGEMENT_ALERTS, alert_id, with_id(alert_id, alert.model_dump(mode="json")))
    advance_version(view, envelope, event)


def _alert_documents(event: ManagementAlertRaised) -> set[DocKey]:
    keys = booking_documents(event)
    keys.add((MANAGEMENT_ALERTS, str(event.alert_id)))
    return keys


HANDLES: dict[type[BookingEvent], Handles] = {
    ManagementAlertRaised: Handles(on_alert_raised, _alert_documents),
}
"""The alert events this module projects."""
