"""The commands the load sends, built from the published contracts (docs/schemas/<Command>.json).

A `Command` holds the AMQP form of its body (every id in it); the HTTP transport moves the ids into the
path. The mix is deterministic from the plan's seed: the same seed and the same answers give the same
commands."""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from conformance.journal import CommandRecord

SCARCE = "STD"  # the contended room type: few rooms, a few nights, most bookings
ROOMY = {"DBL": 20, "FAM": 10}  # room types with space, capacity each
CURRENCY = "EUR"

# Weights of the mix, per 100 commands.
MIX = {"BookStay": 65, "CancelBooking": 15, "SetNightlyRate": 10, "ChangeRoomCapacity": 5, "RegisterHotel": 5}
SCARCE_SHARE = 0.75  # of the bookings, on the scarce room type
CONTENDED_NIGHTS = 3  # the scarce bookings start on one of these nights
SPREAD_NIGHTS = 20  # the roomy bookings start anywhere in these


@dataclass(frozen=True)
class Command:
    name: str  # the routing key over AMQP; "RegisterHotel", "BookStay", ...
    body: dict[str, Any]  # the AMQP body: the schema's JSON with every id in it


@dataclass(frozen=True)
class SeededHotel:
    hotel_id: str
    capacities: dict[str, int]  # room type code -> capacity at registration


@dataclass
class SeedData:
    """What the load plays on: the hotels registered before it, and the first night it books."""

    hotels: list[SeededHotel]
    first_night: date
    scarce_rooms: int
    records: list[CommandRecord] = field(default_factory=list)  # the seed's commands, accepted ones too


def rate(amount: int) -> dict[str, str]:
    return {"amount": f"{amount}.00", "currency": CURRENCY}


def register_hotel(number: int, scarce_rooms: int) -> Command:
    room_types = [{"code": SCARCE, "name": "Standard", "capacity": scarce_rooms, "max_guests": 2}]
    room_types += [
        {"code": code, "name": f"Room {code}", "capacity": capacity, "max_guests": 4}
        for code, capacity in ROOMY.items()
    ]
    for index, room_type in enumerate(room_types):
        room_type["nightly_rate"] = rate(90 + 30 * index)
    body = {"name": f"Conformance Inn {number}", "city": "Testville", "stars": 3, "room_types": room_types}
    return Command("RegisterHotel", body)


class CommandMix:
    """Chooses each next command: kind by weight, then its target and values from one seeded Random."""

    def __init__(self, data: SeedData, seed: int) -> None:
        self.data, self.random = data, random.Random(seed)
        self.bookings: list[str] = []  # accepted, not yet chosen for a cancellation
        self.registered = 0
        self.guests = 0
        self.builders = {
            "BookStay": self._book_stay,
            "CancelBooking": self._cancel_booking,
            "SetNightlyRate": self._set_nightly_rate,
            "ChangeRoomCapacity": self._change_room_capacity,
            "RegisterHotel": self._register_hotel,
        }

    def booking_accepted(self, booking_id: str) -> None:
        self.bookings.append(booking_id)

    def next(self) -> Command:
        kind = self.random.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "CancelBooking" and not self.bookings:
            kind = "BookStay"  # nothing to cancel yet
        return self.builders[kind]()

    def _hotel(self) -> SeededHotel:
        return self.random.choice(self.data.hotels)

    def _book_stay(self) -> Command:
        hotel, self.guests = self._hotel(), self.guests + 1
        if self.random.random() < SCARCE_SHARE:
            code, start, nights = SCARCE, self.random.randrange(CONTENDED_NIGHTS), self.random.randint(1, 2)
        else:
            code, start = self.random.choice(list(ROOMY)), self.random.randrange(SPREAD_NIGHTS)
            nights = self.random.randint(1, 4)
        check_in = self.data.first_night + timedelta(days=start)
        guest = {"guest_id": f"load-{self.guests}", "name": f"Guest {self.guests}"}
        guest["email"] = f"guest{self.guests}@conformance.example"
        body = {"hotel_id": hotel.hotel_id, "room_type": code, "guest": guest, "guests": 1}
        body |= {
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=nights)).isoformat(),
        }
        return Command("BookStay", body)

    def _cancel_booking(self) -> Command:
        booking_id = self.bookings.pop(self.random.randrange(len(self.bookings)))
        return Command("CancelBooking", {"booking_id": booking_id, "reason": "conformance load"})

    def _set_nightly_rate(self) -> Command:
        hotel = self._hotel()
        code = self.random.choice(sorted(hotel.capacities))
        body = {
            "hotel_id": hotel.hotel_id,
            "room_type": code,
            "nightly_rate": rate(self.random.randint(60, 240)),
        }
        return Command("SetNightlyRate", body)

    def _change_room_capacity(self) -> Command:
        # Raise or lower, never below the registered capacity: a lowering may still be refused (rooms
        # booked), which is a business rule, not an invalid command.
        hotel = self._hotel()
        code = self.random.choice(sorted(hotel.capacities))
        capacity = hotel.capacities[code] + self.random.randint(0, 2)
        return Command(
            "ChangeRoomCapacity", {"hotel_id": hotel.hotel_id, "room_type": code, "capacity": capacity}
        )

    def _register_hotel(self) -> Command:
        self.registered += 1
        return register_hotel(1000 + self.registered, self.data.scarce_rooms)
