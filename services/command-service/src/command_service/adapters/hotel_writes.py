"""A hotel's writes in the final statement (`write_fragment.Write`): a new hotel with its room types, a
hotel's changes (its version, its management contact, its room types' capacities and rates)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from command_service.adapters.write_fragment import Parameters
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

# A hotel has a room type at least, so a saved hotel saves a room type.
_UPDATE = """hotel_saved AS (
    UPDATE hotels SET version = {version}, management_email = {email}
    WHERE hotel_id = {hotel_id} AND version = {saved_version} AND {after}
    RETURNING hotel_id
), room_types_saved AS (
    UPDATE room_types AS rt
    SET capacity = u.capacity, rate_amount = u.rate_amount, rate_currency = u.rate_currency
    FROM hotel_saved, unnest({codes}, {capacities}, {rates}, {currencies})
         AS u(code, capacity, rate_amount, rate_currency)
    WHERE rt.hotel_id = hotel_saved.hotel_id AND rt.code = u.code
    RETURNING 1
)"""


@dataclass(frozen=True)
class HotelInsert:
    """A new hotel and its room types (AlreadyExistsError when its id is taken)."""

    hotel: Hotel
    written = "EXISTS (SELECT 1 FROM room_types_added)"
    columns = ""
    may_refuse = False

    def ctes(self, parameters: Parameters, after: str) -> str:
        hotel, p = self.hotel, parameters
        room_types = list(hotel.room_types.values())
        return _INSERT.format(
            hotel_id=p(hotel.id, "uuid"),
            name=p(hotel.name, "text"),
            city=p(hotel.city, "text"),
            stars=p(hotel.stars, "int"),
            registered_at=p(hotel.registered_at, "timestamptz"),
            email=p(hotel.management_email, "text"),
            version=p(hotel.version, "int"),
            after=after,
            codes=p([room_type.code for room_type in room_types], "text[]"),
            names=p([room_type.name for room_type in room_types], "text[]"),
            capacities=p([room_type.capacity for room_type in room_types], "int[]"),
            max_guests=p([room_type.max_guests for room_type in room_types], "int[]"),
            rates=p([room_type.nightly_rate.amount for room_type in room_types], "numeric[]"),
            currencies=p([room_type.nightly_rate.currency for room_type in room_types], "text[]"),
        )

    def check(self, row: asyncpg.Record) -> None:
        """Nothing to check: it is inserted whenever the writes before it were made."""

    def refused(self, error: asyncpg.PostgresError) -> None:
        if isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == "hotels_pkey":
            raise AlreadyExistsError(f"hotel {self.hotel.id} is already registered") from None


@dataclass(frozen=True)
class HotelUpdate:
    """A hotel's changes, saved if nobody saved the hotel since it was read at `saved_version` (else
    VersionConflictError)."""

    hotel: Hotel
    saved_version: int
    written = "EXISTS (SELECT 1 FROM room_types_saved)"
    columns = "EXISTS (SELECT 1 FROM hotel_saved) AS hotel_saved"
    may_refuse = True

    def ctes(self, parameters: Parameters, after: str) -> str:
        hotel, p = self.hotel, parameters
        room_types = list(hotel.room_types.values())
        return _UPDATE.format(
            version=p(hotel.version, "int"),
            email=p(hotel.management_email, "text"),
            hotel_id=p(hotel.id, "uuid"),
            saved_version=p(self.saved_version, "int"),
            after=after,
            codes=p([room_type.code for room_type in room_types], "text[]"),
            capacities=p([room_type.capacity for room_type in room_types], "int[]"),
            rates=p([room_type.nightly_rate.amount for room_type in room_types], "numeric[]"),
            currencies=p([room_type.nightly_rate.currency for room_type in room_types], "text[]"),
        )

    def check(self, row: asyncpg.Record) -> None:
        if not row["hotel_saved"]:
            raise VersionConflictError(f"hotel {self.hotel.id} changed since it was read; retry")

    def refused(self, error: asyncpg.PostgresError) -> None:
        """Nothing of its own: a refusal stands."""
