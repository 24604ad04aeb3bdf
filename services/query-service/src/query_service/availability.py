"""Per-night availability of a hotel: stored nights as they are, every other night fully free."""

from __future__ import annotations

from datetime import date

from innkeeper_contracts.documents import (
    HotelAvailability,
    HotelDetail,
    HotelNight,
    RoomNight,
    RoomTypeDetail,
)
from innkeeper_contracts.stay import Stay


def hotel_availability(
    detail: HotelDetail, stored: list[HotelNight], check_in: date, check_out: date
) -> HotelAvailability:
    """Every night in [check_in, check_out): the stored document's rooms, plus free rooms it does not
    mention."""
    by_night = {night.night: night for night in stored}
    nights = [_night(detail, by_night.get(night), night) for night in Stay(check_in, check_out).nights]
    return HotelAvailability(
        hotel_id=detail.hotel_id,
        check_in=check_in,
        check_out=check_out,
        start=check_in,  # the deprecated names, for one version
        end=check_out,
        nights=nights,
    )


def _night(detail: HotelDetail, stored: HotelNight | None, night: date) -> HotelNight:
    known = {room.room_type: room for room in stored.room_types} if stored else {}
    rooms = [known.pop(rt.code) if rt.code in known else _all_free(rt) for rt in detail.room_types]
    rooms += known.values()  # a room type the night knows but the detail no longer lists
    return HotelNight(
        hotel_id=detail.hotel_id,
        night=night,
        room_types=rooms,
        booked=sum(room.booked for room in rooms),
        capacity=sum(room.capacity for room in rooms),
    )


def _all_free(room_type: RoomTypeDetail) -> RoomNight:
    capacity = room_type.capacity
    return RoomNight(room_type=room_type.code, capacity=capacity, booked=0, free=capacity)
