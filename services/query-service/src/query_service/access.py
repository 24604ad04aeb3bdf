"""Who may read what is private: a guest their own bookings, staff those of their hotels, an admin all.

A guest asking for someone else's booking is told it does not exist (404), so the answer never confirms
that a booking id is real; other refusals are 403. Services act through commands and read nothing
private. Anonymous callers never get here: the middleware answers 401 first.
"""

from __future__ import annotations

from typing import Any

from innkeeper_kit.auth import Principal
from query_service.errors import ForbiddenError, NotFoundError
from query_service.queries import HotelScope


def check_booking(principal: Principal | None, booking: dict[str, Any]) -> None:
    """Raise unless the caller may read this booking document."""
    caller = _identified(principal)
    if caller.role == "guest":
        if booking.get("guest", {}).get("guest_id") != caller.subject:
            raise NotFoundError(f"no booking {booking.get('booking_id')}")
    elif caller.role == "service" or not _works_at(caller, booking.get("hotel_id")):
        raise ForbiddenError("staff read only the bookings of the hotels they work for")


def guest_bookings_scope(principal: Principal | None, guest_id: str) -> HotelScope:
    """What of a guest's bookings the caller may list: all for the guest and an admin, those at their
    hotels for staff."""
    caller = _identified(principal)
    if caller.role == "guest" and guest_id != caller.subject:
        raise ForbiddenError("a guest lists only their own bookings")
    return _hotels_scope(caller)


def alerts_scope(principal: Principal | None) -> HotelScope:
    """The management alerts the caller may read: an admin all, staff those of their hotels."""
    caller = _identified(principal)
    if caller.role == "guest":
        raise ForbiddenError("the alert feed is for management: staff and admins")
    return _hotels_scope(caller)


def _hotels_scope(caller: Principal) -> HotelScope:
    if caller.role == "service":
        raise ForbiddenError("services send commands; they read no guest's data")
    if caller.role == "staff":
        return HotelScope(tuple(sorted(str(hotel) for hotel in caller.hotels)))
    return HotelScope()


def _works_at(caller: Principal, hotel_id: object) -> bool:
    return caller.role == "admin" or any(str(hotel) == hotel_id for hotel in caller.hotels)


def _identified(principal: Principal | None) -> Principal:
    if principal is None:  # the middleware refuses anonymous calls to these routes; never trust one
        raise ForbiddenError("this resource needs an identified caller")
    return principal
