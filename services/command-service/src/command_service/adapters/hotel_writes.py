"""A hotel's writes in the final statement (`write_fragment.Write`): a new hotel with its room types, a
hotel's changes (its version, its management contact, its room types' capacities and rates)."""

from __future__ import annotations

from command_service.adapters.write_fragment import AggregateInsert, Parameters, VersionedUpdate
from command_service.domain.hotel import Hotel

_INSERT = """hotel_added AS (
    INSERT INTO hotels (hotel_id, name, city, stars, registered_at, management_email, version)
    SELECT {hotel.id:uuid}, {hotel.name:text}, {hotel.city:text}, {hotel.stars:int},
           {hotel.registered_at:timestamptz}, {hotel.management_email:text}, {hotel.version:int}
    WHERE {after}
    RETURNING hotel_id
), room_types_added AS (
    INSERT INTO room_types (hotel_id, code, name, capacity, max_guests, rate_amount, rate_currency)
    SELECT hotel_added.hotel_id, u.* FROM hotel_added,
           unnest({codes:text[]}, {names:text[]}, {capacities:int[]}, {max_guests:int[]},
                  {rates:numeric[]}, {currencies:text[]}) AS u
    RETURNING 1
)"""

# Every field of its room types, whichever a command changed. A hotel has a room type at least, so a
# saved hotel saves a room type.
_UPDATE = """hotel_saved AS (
    UPDATE hotels SET version = {hotel.version:int}, management_email = {hotel.management_email:text}
    WHERE hotel_id = {hotel.id:uuid} AND version = {saved_version:int} AND {after}
    RETURNING hotel_id
), room_types_saved AS (
    UPDATE room_types AS rt
    SET name = u.name, capacity = u.capacity, max_guests = u.max_guests, rate_amount = u.rate_amount,
        rate_currency = u.rate_currency
    FROM hotel_saved,
         unnest({codes:text[]}, {names:text[]}, {capacities:int[]}, {max_guests:int[]},
                {rates:numeric[]}, {currencies:text[]})
         AS u(code, name, capacity, max_guests, rate_amount, rate_currency)
    WHERE rt.hotel_id = hotel_saved.hotel_id AND rt.code = u.code
    RETURNING 1
)"""


def _room_types(hotel: Hotel) -> dict[str, list[object]]:
    """The hotel's room types as one array per column, by the names the statements use."""
    room_types = list(hotel.room_types.values())
    return {
        "codes": [room_type.code for room_type in room_types],
        "names": [room_type.name for room_type in room_types],
        "capacities": [room_type.capacity for room_type in room_types],
        "max_guests": [room_type.max_guests for room_type in room_types],
        "rates": [room_type.nightly_rate.amount for room_type in room_types],
        "currencies": [room_type.nightly_rate.currency for room_type in room_types],
    }


class HotelInsert(AggregateInsert[Hotel]):
    """A new hotel and its room types (AlreadyExistsError when its id is taken)."""

    written = "EXISTS (SELECT 1 FROM room_types_added)"
    primary_key, taken = "hotels_pkey", "hotel {id} is already registered"

    def ctes(self, parameters: Parameters, after: str) -> str:
        return parameters.fill(_INSERT, after=after, hotel=self.aggregate, **_room_types(self.aggregate))


class HotelUpdate(VersionedUpdate[Hotel]):
    """A hotel's changes (its room types' too), saved if nobody saved the hotel since it was read."""

    saved = "hotel_saved"
    written = "EXISTS (SELECT 1 FROM room_types_saved)"
    columns = "EXISTS (SELECT 1 FROM hotel_saved) AS hotel_saved"

    def ctes(self, parameters: Parameters, after: str) -> str:
        hotel = self.aggregate
        return parameters.fill(
            _UPDATE, after=after, hotel=hotel, saved_version=self.saved_version, **_room_types(hotel)
        )
