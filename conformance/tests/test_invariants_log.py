"""The log checks over hand-made events: each passes on a clean log and catches its planted defect."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conformance.checks_log import (
    LogEvent,
    accepted_exactly_once,
    by_correlation,
    rejected_changed_nothing,
    unanswered_at_most_once,
)
from conformance.journal import CommandRecord

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def record(key: str, outcome: str, command: str = "BookStay") -> CommandRecord:
    return CommandRecord(key, "http", "http-0", command, {}, 1, outcome, None, None, None, 0.0, None)


def event(position: int, key: str, event_type: str, data: dict[str, Any] | None = None) -> LogEvent:
    return LogEvent(position, event_type, f"agg-{key}", position, key, NOW, data or {})


def booked(position: int, key: str) -> list[LogEvent]:
    return [event(position, key, "StayBooked"), event(position + 1, key, "GuestNotificationRequested")]


def test_every_accepted_command_with_its_events_once_holds() -> None:
    events = booked(1, "a") + booked(3, "b")
    verdict = accepted_exactly_once(
        [record("a", "accepted"), record("b", "accepted")], by_correlation(events)
    )
    assert verdict.ok, verdict.detail
    assert verdict.detail.startswith("2 accepted, 0 missing, 0 applied twice")


def test_an_accepted_command_without_its_event_fails() -> None:
    events = [event(1, "a", "GuestNotificationRequested")]  # the StayBooked itself is missing
    verdict = accepted_exactly_once(
        [record("a", "accepted"), record("b", "accepted")], by_correlation(events)
    )
    assert not verdict.ok
    assert "2 missing" in verdict.detail


def test_a_duplicated_event_fails() -> None:
    events = [*booked(1, "a"), event(3, "a", "StayBooked")]
    verdict = accepted_exactly_once([record("a", "accepted")], by_correlation(events))
    assert not verdict.ok
    assert "1 applied twice" in verdict.detail
    assert "StayBooked" in verdict.detail


def test_unanswered_commands_may_be_applied_once_but_not_twice() -> None:
    records = [record("a", "unanswered"), record("b", "unanswered")]
    once = unanswered_at_most_once(records, by_correlation(booked(1, "a")))
    assert once.ok
    assert "2 unanswered, 1 of them applied, 0 applied twice" in once.detail
    twice = unanswered_at_most_once(records, by_correlation([*booked(1, "a"), event(5, "a", "StayBooked")]))
    assert not twice.ok
    assert "1 applied twice" in twice.detail


def test_a_rejected_command_with_events_fails() -> None:
    records = [record("a", "rejected"), record("b", "rejected", "CancelBooking")]
    assert rejected_changed_nothing(records, by_correlation(booked(1, "z"))).ok
    verdict = rejected_changed_nothing(records, by_correlation(booked(1, "b")))
    assert not verdict.ok
    assert "1 with events" in verdict.detail
    assert "CancelBooking b" in verdict.detail
