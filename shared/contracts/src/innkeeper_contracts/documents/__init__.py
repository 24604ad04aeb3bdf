"""Read documents: one shape per screen (`models`), written by the projector and served by the query
service, in the collections `storage` names."""

from .answers import AlertPage, BookingPage, HotelAvailability, HotelPage
from .models import (
    FULL_NIGHTS_DAYS_AFTER,
    FULL_NIGHTS_DAYS_BEFORE,
    MAX_FULL_NIGHTS,
    BookingDetail,
    HotelCard,
    HotelDetail,
    HotelNight,
    ManagementAlert,
    RoomNight,
    RoomTypeCard,
    RoomTypeDetail,
)
from .storage import (
    ACTIVE_GENERATION_ID,
    BOOKINGS,
    CHECKPOINTS,
    GENERATIONS_COLLECTION,
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    ID_FIELDS,
    MANAGEMENT_ALERTS,
    PROJECTOR_STATUS_COLLECTION,
    collection_name,
)

__all__ = [
    "ACTIVE_GENERATION_ID",
    "BOOKINGS",
    "CHECKPOINTS",
    "FULL_NIGHTS_DAYS_AFTER",
    "FULL_NIGHTS_DAYS_BEFORE",
    "GENERATIONS_COLLECTION",
    "HOTEL_CARDS",
    "HOTEL_DETAILS",
    "HOTEL_NIGHTS",
    "ID_FIELDS",
    "MANAGEMENT_ALERTS",
    "MAX_FULL_NIGHTS",
    "PROJECTOR_STATUS_COLLECTION",
    "AlertPage",
    "BookingDetail",
    "BookingPage",
    "HotelAvailability",
    "HotelCard",
    "HotelDetail",
    "HotelNight",
    "HotelPage",
    "ManagementAlert",
    "RoomNight",
    "RoomTypeCard",
    "RoomTypeDetail",
    "collection_name",
]
