"""A hotel's writes in the final statement (`write_fragment.Write`): a new hotel with its room types, a
hotel's changes (its version, its management contact, its room types' capacities and rates)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from command_service.adapters.write_fragment import Parameters, WriteFragment
from command_service.domain.errors import AlreadyExistsError, VersionConflictError
from command_service.domain.hotel import Hotel

_INSERT = """hotel_added AS (
    INSERT INTO hotels (hotel_id, name, city, stars, registered_at, management_email, version)
    SELECT {hotel_id}, {name}, {city}, {stars}, {registered_at}, {email}, {version} WHERE {after}
    RETURNING hotel_id
), room_types_added AS (
    INSERT INTO room_types (hotel_id, code, name, capacity, max_guests, rate_amount, rate_currency)
    SELECT hotel_added.hotel_id, u.* FROM hotel_added,
           unnest({codes}, {names}, {capacities}, {max_guests}, {rates}, {currencies}) AS u
    RETURNING 1
)"""

# Every field of its room types, whichever a command changed. A hotel has a room type at least, so a
# saved hotel saves a room type.
_UPDATE = """hotel_saved AS (
    UPDATE hotels SET version = {version}, management_email = {email}
    WHERE hotel_id = {hotel_id} AND version = {saved_version} AND {after}
    RETURNING hotel_id
), room_types_saved AS (
    UPDATE room_types AS rt
    SET name = u.name, capacity = u.capacity, max_guests = u.max_guests, rate_amount = u.rate_amount,
        rate_currency = u.rate_currency
    FROM hotel_saved, unnest({codes}, {names}, {capacities}, {max_guests}, {rates}, {currencies})
         AS u(code, name, capacity, max_guests, rate_amount, rate_currency)
    WHERE rt.hotel_id = hotel_saved.hotel_id AND rt.code = u.code
    RETURNING 1
)"""


def _room_types(parameters: Parameters, hotel: Hotel) -> dict[str, str]:
    """The hotel's room types as one array parameter per column, by the names the statements use."""
    room_types = list(hotel.room_types.values())
    return {
        "codes": parameters([room_type.code for room_type in room_types], "text[]"),
        "names": parameters([room_type.name for room_type in room_types], "text[]"),
        "capacities": parameters([room_type.capacity for room_type in room_types], "int[]"),
        "max_guests": parameters([room_type.max_guests for room_type in room_types], "int[]"),
        "rates": parameters([room_type.nightly_rate.amount for room_type in room_types], "numeric[]"),
        "currencies": parameters([room_type.nightly_rate.currency for room_type in room_types], "text[]"),
    }


@dataclass(frozen=True)
class HotelInsert(WriteFragment):
    """A new hotel and its room types (AlreadyExistsError when its id is taken)."""

    hotel: Hotel
    written = "EXISTS (SELECT 1 FROM room_types_added)"

    def ctes(self, parameters: Parameters, after: str) -> str:
        hotel, p = self.hotel, parameters
        return _INSERT.format(
            hotel_id=p(hotel.id, "uuid"),
            name=p(hotel.name, "text"),
            city=p(hotel.city, "text"),
            stars=p(hotel.stars, "int"),
            registered_at=p(hotel.registered_at, "timestamptz"),
            email=p(hotel.management_email, "text"),
            version=p(hotel.version, "int"),
            after=after,
            **_room_types(p, hotel),
        )

    def refused(self, error: asyncpg.PostgresError) -> None:
        if isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == "hotels_pkey":
            raise AlreadyExistsError(f"hotel {self.hotel.id} is already registered") from None


@dataclass(frozen=True)
class HotelUpdate(WriteFragment):
    """A hotel's changes, saved if nobody saved the hotel since it was read at `saved_version` (else
    VersionConflictError)."""

    hotel: Hotel
    saved_version: int
    written = "EXISTS (SELECT 1 FROM room_types_saved)"
    columns = "EXISTS (SELECT 1 FROM hotel_saved) AS hotel_saved"
    may_refuse = True

    def ctes(self, parameters: Parameters, after: str) -> str:
        hotel, p = self.hotel, parameters
        return _UPDATE.format(
            version=p(hotel.version, "int"),
            email=p(hotel.management_email, "text"),
            hotel_id=p(hotel.id, "uuid"),
            saved_version=p(self.saved_version, "int"),
            after=after,
            **_room_types(p, hotel),
        )

    def check(self, row: asyncpg.Record) -> None:
        if not row["hotel_saved"]:
            raise VersionConflictError(f"hotel {self.hotel.id} changed since it was read; retry")
