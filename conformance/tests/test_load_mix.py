"""The command mix: deterministic from its seed, in the planned proportions, contended where planned."""

from collections import Counter
from datetime import date
from typing import Any

from conformance.commands import MIX, SCARCE, Command, CommandMix, SeedData, SeededHotel
from conformance.transport_http import http_request

HOTELS = [
    SeededHotel(f"00000000-0000-4000-8000-00000000000{n}", {"STD": 2, "DBL": 20, "FAM": 10}) for n in range(4)
]


def mix(seed: int) -> CommandMix:
    return CommandMix(SeedData(HOTELS, date(2030, 1, 1), scarce_rooms=2), seed)


def drawn(seed: int, count: int) -> list[tuple[str, dict[str, Any]]]:
    chosen = mix(seed)
    commands = []
    for number in range(count):
        command = chosen.next()
        if command.name == "BookStay" and number % 2:  # half the bookings accepted, as answers come
            chosen.booking_accepted(f"booking-{number}")
        commands.append((command.name, command.body))
    return commands


def test_the_same_seed_gives_the_same_commands() -> None:
    assert drawn(7, 500) == drawn(7, 500)
    assert drawn(7, 500) != drawn(8, 500)


def test_the_mix_keeps_its_proportions() -> None:
    counts = Counter(name for name, _ in drawn(3, 4000))
    for name, weight in MIX.items():
        assert abs(counts[name] / 4000 - weight / 100) < 0.03, (name, counts)


def test_most_bookings_contend_for_the_scarce_rooms_on_a_few_nights() -> None:
    bookings = [body for name, body in drawn(5, 2000) if name == "BookStay"]
    scarce = [body for body in bookings if body["room_type"] == SCARCE]
    assert len(scarce) > 0.6 * len(bookings)
    assert {body["check_in"] for body in scarce} == {"2030-01-01", "2030-01-02", "2030-01-03"}


def test_a_booking_is_cancelled_at_most_once_and_only_once_accepted() -> None:
    cancelled = [body["booking_id"] for name, body in drawn(11, 3000) if name == "CancelBooking"]
    assert cancelled
    assert len(cancelled) == len(set(cancelled))
    assert all(str(booking).startswith("booking-") for booking in cancelled)


def test_capacity_changes_never_go_below_the_registered_capacity() -> None:
    changes = [body for name, body in drawn(13, 3000) if name == "ChangeRoomCapacity"]
    assert changes
    assert all(body["capacity"] >= HOTELS[0].capacities[str(body["room_type"])] for body in changes)


def test_http_paths_carry_the_ids_the_body_leaves_out() -> None:
    made = mix(1)
    made.booking_accepted("b-1")
    by_name: dict[str, Command] = {}
    while len(by_name) < len(MIX):
        command = made.next()
        by_name.setdefault(command.name, command)
        if command.name == "CancelBooking":
            made.booking_accepted("b-1")
    path, body = http_request(by_name["CancelBooking"])
    assert (path, body) == ("/bookings/b-1/cancel", {"reason": "conformance load"})
    path, body = http_request(by_name["SetNightlyRate"])
    assert path.endswith("/rate")
    assert set(body) == {"nightly_rate"}
    path, body = http_request(by_name["ChangeRoomCapacity"])
    assert path.endswith("/capacity")
    assert set(body) == {"capacity"}
    assert http_request(by_name["BookStay"])[0] == "/bookings"
    assert http_request(by_name["RegisterHotel"])[0] == "/hotels"
