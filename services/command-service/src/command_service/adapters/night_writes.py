"""Changes to a room type's booked nights in the final statement (`write_fragment.Write`): a stay's
nights given back, the capacity of every coming night. A reservation: `reservation`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar
from uuid import UUID

import asyncpg

from command_service.adapters.write_fragment import Parameters, WriteFragment
from command_service.domain.errors import CapacityBelowBookedError

# Updates lock their rows in night order too (a plain range UPDATE may follow the physical order).
_UPDATE_NIGHTS = """{name}_nights AS MATERIALIZED (
    SELECT night FROM room_nights
    WHERE hotel_id = {hotel} AND room_type = {code} AND night >= {first} AND night < {end} AND {after}
    ORDER BY night FOR UPDATE
), {name} AS (
    UPDATE room_nights AS rn SET {change} FROM {name}_nights
    WHERE rn.hotel_id = {hotel} AND rn.room_type = {code} AND rn.night = {name}_nights.night
    RETURNING 1
)"""


@dataclass(frozen=True)
class _NightsUpdate(WriteFragment):
    """The nights of a room type from `first` to before `end`, changed whenever the writes before were
    (no condition of its own: its column makes it before the append)."""

    hotel_id: UUID
    room_type: str
    first: date
    end: date
    name: ClassVar[str]

    def change(self, parameters: Parameters) -> str:
        raise NotImplementedError

    def ctes(self, parameters: Parameters, after: str) -> str:
        p = parameters
        hotel, code = p(self.hotel_id, "uuid"), p(self.room_type, "text")
        first, end = p(self.first, "date"), p(self.end, "date")
        change = self.change(p)
        return _UPDATE_NIGHTS.format(
            name=self.name, hotel=hotel, code=code, first=first, end=end, after=after, change=change
        )


@dataclass(frozen=True)
class NightsReleased(_NightsUpdate):
    """A stay's nights given back: one room fewer booked on each."""

    name = "released"
    columns = "(SELECT count(*) FROM released) AS released"

    def change(self, parameters: Parameters) -> str:
        return "booked = rn.booked - 1"


@dataclass(frozen=True)
class CapacitySet(_NightsUpdate):
    """Every night from `first` on with `capacity` rooms (CapacityBelowBookedError when fewer than are
    booked on one: the CHECK refuses the statement)."""

    capacity: int = 0
    name = "capacity_set"
    columns = "(SELECT count(*) FROM capacity_set) AS capacity_set"

    def change(self, parameters: Parameters) -> str:
        return f"capacity = {parameters(self.capacity, 'int')}"

    def refused(self, error: asyncpg.PostgresError) -> None:
        if isinstance(error, asyncpg.CheckViolationError) and error.constraint_name == _OVERBOOKED:
            raise CapacityBelowBookedError(
                f"room type {self.room_type!r} has more than {self.capacity} rooms booked on some night"
            ) from None


_OVERBOOKED = "room_nights_not_overbooked"
