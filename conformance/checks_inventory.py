"""No room type booked beyond its capacity on any night, recomputed from the event log in position order.

The capacity in force: a hotel's registered capacity, changed by `RoomCapacityChanged` for the nights from
the day of the change on (the command service lowers it only down to what is booked from that day). The
booked count: +1 per night of a `StayBooked`, -1 per night of a `BookingCancelled` (both carry the hotel,
the room type and the dates). Every `StayBooked` and every capacity change is checked when it happens, so
an overbooking that a later cancellation hid is still found."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from conformance.checks_log import LogEvent
from conformance.checks_verdict import Verdict, first

Cell = tuple[str, str, date]  # hotel id, room type, night


def nights(check_in: str, check_out: str) -> list[date]:
    start, end = date.fromisoformat(check_in), date.fromisoformat(check_out)
    return [start + timedelta(days=offset) for offset in range((end - start).days)]


@dataclass
class Inventory:
    registered: dict[tuple[str, str], int] = field(default_factory=dict)
    changes: dict[tuple[str, str], list[tuple[date, int]]] = field(default_factory=lambda: defaultdict(list))
    booked: dict[Cell, int] = field(default_factory=lambda: defaultdict(int))
    over: dict[Cell, tuple[int, int]] = field(default_factory=dict)  # cell -> worst (booked, capacity)
    negative: set[Cell] = field(default_factory=set)
    unknown: set[tuple[str, str]] = field(default_factory=set)  # booked room types never registered

    def capacity(self, hotel: str, room_type: str, night: date) -> int | None:
        in_force = self.registered.get((hotel, room_type))
        for since, capacity in self.changes.get((hotel, room_type), []):
            if since <= night:
                in_force = capacity
        return in_force

    def _check(self, cell: Cell) -> None:
        capacity = self.capacity(*cell)
        if capacity is None:
            self.unknown.add(cell[:2])
            return
        booked = self.booked[cell]
        worst = self.over.get(cell, (0, 0))
        if booked > capacity and booked - capacity > worst[0] - worst[1]:
            self.over[cell] = (booked, capacity)

    def apply(self, event: LogEvent) -> None:
        data = event.data
        if event.event_type == "HotelRegistered":
            for room in data.get("room_types", []):
                self.registered[(data["hotel_id"], room["code"])] = int(room["capacity"])
        elif event.event_type == "RoomCapacityChanged":
            key = (data["hotel_id"], data["room_type"])
            since = event.occurred_at.date()
            self.changes[key].append((since, int(data["capacity"])))
            for cell in [c for c in self.booked if c[:2] == key and c[2] >= since]:
                self._check(cell)
        elif event.event_type in ("StayBooked", "BookingCancelled"):
            step = 1 if event.event_type == "StayBooked" else -1
            for night in nights(data["check_in"], data["check_out"]):
                cell = (data["hotel_id"], data["room_type"], night)
                self.booked[cell] += step
                if self.booked[cell] < 0:
                    self.negative.add(cell)
                if step > 0:
                    self._check(cell)


def recompute(events: Iterable[LogEvent]) -> Inventory:
    inventory = Inventory()
    for event in events:
        inventory.apply(event)
    return inventory


def no_overbooking(inventory: Inventory) -> Verdict:
    cells = [cell for cell, booked in inventory.booked.items() if booked]
    full = sum(1 for cell in cells if inventory.booked[cell] == inventory.capacity(*cell))
    over = [f"{h[:8]} {rt} {night} {b}/{c}" for (h, rt, night), (b, c) in sorted(inventory.over.items())]
    negative = [f"{h[:8]} {rt} {night}" for h, rt, night in sorted(inventory.negative)]
    unknown = [f"{h[:8]} {rt}" for h, rt in sorted(inventory.unknown)]
    detail = (
        f"{len(cells):,} room-type nights booked ({full:,} full), {len(over):,} over capacity, "
        f"{len(negative):,} below zero, {len(unknown):,} unknown room types"
    )
    ok = not over and not negative and not unknown
    return Verdict("no-overbooking", ok, detail + first(over + negative + unknown))
