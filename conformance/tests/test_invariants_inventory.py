"""No overbooking, recomputed per hotel, room type and night from hand-made events."""

from __future__ import annotations

from datetime import UTC, date, datetime

from conformance.checks_inventory import no_overbooking, recompute
from conformance.checks_log import LogEvent

H = "11111111-1111-1111-1111-111111111111"
TODAY = datetime(2030, 1, 1, tzinfo=UTC)


def registered(capacity: int) -> LogEvent:
    rooms = [{"code": "STD", "capacity": capacity, "nightly_rate": {"amount": "90.00", "currency": "EUR"}}]
    return LogEvent(1, "HotelRegistered", H, 1, "k0", TODAY, {"hotel_id": H, "room_types": rooms})


def stay(position: int, check_in: str, check_out: str, kind: str = "StayBooked") -> LogEvent:
    data = {"booking_id": f"b{position}", "hotel_id": H, "room_type": "STD"}
    data |= {"check_in": check_in, "check_out": check_out}
    return LogEvent(position, kind, f"b{position}", 1, f"k{position}", TODAY, data)


def capacity(position: int, rooms: int, at: datetime = TODAY) -> LogEvent:
    data = {"hotel_id": H, "room_type": "STD", "capacity": rooms, "previous_capacity": 0}
    return LogEvent(position, "RoomCapacityChanged", H, position, f"k{position}", at, data)


def test_bookings_up_to_capacity_hold() -> None:
    events = [registered(2), stay(2, "2030-03-01", "2030-03-03"), stay(3, "2030-03-02", "2030-03-04")]
    inventory = recompute(events)
    verdict = no_overbooking(inventory)
    assert verdict.ok, verdict.detail
    assert inventory.booked[(H, "STD", date(2030, 3, 2))] == 2
    assert verdict.detail.startswith("3 room-type nights booked (1 full), 0 over capacity")


def test_an_overbooked_night_fails_even_if_a_cancellation_hides_it_later() -> None:
    events = [registered(1), stay(2, "2030-03-01", "2030-03-02"), stay(3, "2030-03-01", "2030-03-02")]
    events.append(stay(3, "2030-03-01", "2030-03-02", "BookingCancelled"))
    verdict = no_overbooking(recompute(events))
    assert not verdict.ok
    assert "1 over capacity" in verdict.detail
    assert "2030-03-01 2/1" in verdict.detail


def test_a_raised_capacity_counts_and_a_lowering_below_the_booked_fails() -> None:
    raised = [
        registered(1),
        capacity(2, 2),
        stay(3, "2030-03-01", "2030-03-02"),
        stay(4, "2030-03-01", "2030-03-02"),
    ]
    assert no_overbooking(recompute(raised)).ok
    lowered = [*raised, capacity(5, 1)]
    verdict = no_overbooking(recompute(lowered))
    assert not verdict.ok
    assert "2/1" in verdict.detail


def test_a_change_applies_from_its_day_on_only() -> None:
    later = datetime(2030, 3, 2, tzinfo=UTC)
    events = [registered(1), capacity(2, 0, at=later), stay(3, "2030-03-01", "2030-03-02")]
    assert no_overbooking(recompute(events)).ok  # the night before the change keeps its room
    assert not no_overbooking(recompute([*events, stay(4, "2030-03-02", "2030-03-03")])).ok


def test_a_cancellation_without_its_booking_goes_below_zero() -> None:
    verdict = no_overbooking(
        recompute([registered(1), stay(2, "2030-03-01", "2030-03-02", "BookingCancelled")])
    )
    assert not verdict.ok
    assert "1 below zero" in verdict.detail
