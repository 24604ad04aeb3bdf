"""Where to read what a command made or changed: the `Location` of a 202, a resource of the query service.

Relative by default (`/bookings/{id}`), for clients that reach both services behind one front door or
resolve it against the query service's address themselves; absolute when `QUERY_SERVICE_PUBLIC_URL` says
where the query service is seen from outside.
"""

from __future__ import annotations

from innkeeper_contracts import CommandAccepted


def location_of(accepted: CommandAccepted, query_service_url: str) -> str | None:
    """The booking a booking command made or changed, else the hotel; None when it names neither."""
    if accepted.booking_id is not None:
        path = f"/bookings/{accepted.booking_id}"
    elif accepted.hotel_id is not None:
        path = f"/hotels/{accepted.hotel_id}"
    else:
        return None
    return query_service_url.rstrip("/") + path


LOCATION_HEADER = {
    "description": "The query service's resource for what the command made or changed "
    "(`/bookings/{booking_id}`, `/hotels/{hotel_id}`): relative unless `QUERY_SERVICE_PUBLIC_URL` is set. "
    "It is readable once the projector has applied the write: send `X-Consistency-Token` with the GET.",
    "required": True,
    "schema": {"type": "string", "format": "uri-reference"},
}
