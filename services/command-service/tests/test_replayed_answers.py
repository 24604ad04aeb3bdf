"""Answers remembered by an earlier version (no `booking_id`/`hotel_id`, bare-word problem types) replay
in this version's form for as long as their key is kept."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from command_builders import book_stay, register_hotel

from command_service.application.requests import CommandRequest
from innkeeper_contracts import CommandAccepted, CommandRejected

TOKEN = "7.00000000-0000-0000-0000-000000000001.1"


def test_an_old_accepted_answer_gains_the_ids_it_names_and_keeps_its_correlation() -> None:
    hotel_id, booking_id = uuid4(), uuid4()
    request = CommandRequest(book_stay(hotel_id, date(2027, 1, 10)), "retry-correlation")
    old = CommandAccepted(
        command="BookStay", aggregate_id=booking_id, consistency_token=TOKEN, correlation_id="c1"
    )

    replayed = request.replayed(old)

    assert isinstance(replayed, CommandAccepted)
    assert (replayed.booking_id, replayed.hotel_id) == (booking_id, hotel_id)
    assert (replayed.aggregate_id, replayed.consistency_token, replayed.correlation_id) == (
        booking_id,
        TOKEN,
        "c1",
    )


def test_a_current_answer_replays_unchanged() -> None:
    hotel_id = uuid4()
    request = CommandRequest(register_hotel(hotel_id), "c2")
    current = request.accepted(hotel_id, TOKEN)

    assert request.replayed(current) is current


def test_an_old_rejection_gets_the_uri_of_its_kind_renamed_kinds_included() -> None:
    request = CommandRequest(register_hotel(), "c3")
    for old_type, status, expected in [
        ("business-rule", 409, "https://innkeeper.dev/problems/business-rule"),
        ("invalid-command", 422, "https://innkeeper.dev/problems/invalid-input"),
        ("malformed-message", 400, "https://innkeeper.dev/problems/malformed-body"),
        ("no-longer-a-kind", 404, "https://innkeeper.dev/problems/not-found"),
    ]:
        old = CommandRejected(status=status, type=old_type, title="x", detail="why", command="RegisterHotel")

        replayed = request.replayed(old)

        assert isinstance(replayed, CommandRejected)
        assert (replayed.type, replayed.status, replayed.detail) == (expected, status, "why")
