"""Domain events: facts in the past tense, published in an `EventEnvelope`."""

from __future__ import annotations

from .base import BookingEvent, DomainEvent, HotelEvent
from .booking import (
    BookingCancelled,
    GuestContactChanged,
    GuestDataErased,
    RefundIssued,
    RefundPolicy,
    StayBooked,
)
from .hotel import HotelRegistered, ManagementContactSet, NightlyRateSet, RoomCapacityChanged
from .notifications import (
    AlertKind,
    GuestNotificationRequested,
    ManagementAlertRaised,
    NotificationTemplate,
)

__all__ = [
    "EVENT_TYPES",
    "AlertKind",
    "BookingCancelled",
    "BookingEvent",
    "DomainEvent",
    "GuestContactChanged",
    "GuestDataErased",
    "GuestNotificationRequested",
    "HotelEvent",
    "HotelRegistered",
    "ManagementAlertRaised",
    "ManagementContactSet",
    "NightlyRateSet",
    "NotificationTemplate",
    "RefundIssued",
    "RefundPolicy",
    "RoomCapacityChanged",
    "StayBooked",
]

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.event_type(): cls
    for cls in (
        HotelRegistered,
        RoomCapacityChanged,
        NightlyRateSet,
        ManagementContactSet,
        StayBooked,
        BookingCancelled,
        RefundIssued,
        GuestNotificationRequested,
        ManagementAlertRaised,
        GuestContactChanged,
        GuestDataErased,
    )
}
"""Event type name → model, for every event Innkeeper publishes."""
