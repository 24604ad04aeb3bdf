"""What `dead-letters` says about one dead letter, and what it re-sends: the intake's kind (reason and
sender in headers) and the broker's (`x-death`, `user_id` kept); no guest personal data in its output."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import aio_pika

from command_service.cli.dead_letter_message import DeadLetter

WHEN = datetime(2026, 12, 6, 2, 4, 3, tzinfo=UTC)
BOOKING = {
    "hotel_id": "0b9a3d8e-5a4b-4c55-9f0a-3c1f2a6d7e81",
    "room_type": "DBL",
    "guest": {"guest_id": "guest-1", "name": "Ann Berg", "email": "ann@example.com"},
    "check_in": "2027-01-10",
    "check_out": "2027-01-12",
    "guests": 2,
}


def properties(**changes: Any) -> dict[str, Any]:
    kept = {"message_id": "m-1", "correlation_id": "c-1", "content_type": "application/json"}
    return {**kept, "user_id": None, "reply_to": None, "timestamp": WHEN, "priority": None, **changes}


def from_intake(body: bytes = json.dumps(BOOKING).encode(), **changes: Any) -> DeadLetter:
    headers = {
        "x-rejection-reason": "invalid-input: guest.email: value is not an e-mail: ann@example.com",
        "x-original-routing-key": "BookStay",
        "x-original-user-id": "partner-portal",
    }
    return DeadLetter(body, "BookStay", headers, properties(**changes))


def from_broker() -> DeadLetter:
    death = {
        "count": 1,
        "reason": "delivery_limit",
        "queue": "innkeeper.commands.intake",
        "time": WHEN,
        "exchange": "innkeeper.commands",
        "routing-keys": ["CancelBooking"],
    }
    headers = {
        "x-death": [death],
        "x-first-death-reason": "delivery_limit",
        "x-first-death-queue": "innkeeper.commands.intake",
        "x-trace": "kept",
    }
    changed = properties(timestamp=None, user_id="pms-bergen", reply_to="innkeeper.replies.pms-bergen")
    return DeadLetter(b'{"booking_id": "b"}', "CancelBooking", headers, changed)


def test_a_line_names_id_command_time_sender_size_and_the_masked_reason() -> None:
    letter = from_intake()
    line = letter.line()
    assert line.startswith(f"{letter.id}  BookStay ")
    assert "2026-12-06T02:04:03Z" in line
    assert "partner-portal" in line
    assert f"{len(letter.body)} B" in line
    assert "invalid-input: guest.email" in line
    assert "ann@example.com" not in line


def test_the_broker_s_dead_letter_says_its_death_and_keeps_its_sender() -> None:
    letter = from_broker()
    assert (letter.command, letter.sender, letter.when) == ("CancelBooking", "pms-bergen", WHEN)
    assert letter.reason == "delivery_limit (dead-lettered by the broker from innkeeper.commands.intake)"


def test_the_id_is_stable_and_tells_messages_apart_and_a_message_id_names_it_too() -> None:
    assert from_intake().id == from_intake().id
    assert from_intake().id != from_intake(timestamp=datetime(2026, 12, 7, tzinfo=UTC)).id
    assert from_intake().id != from_broker().id
    assert from_intake().matches("m-1")
    assert from_intake().matches(from_intake().id)
    assert not from_intake().matches("m-2")


def test_show_holds_everything_with_personal_data_masked() -> None:
    detail = from_intake().detail()
    text = json.dumps(detail)
    assert "Ann Berg" not in text
    assert "ann@example.com" not in text
    assert detail["body"]["guest"] == "[redacted]"
    assert detail["body"]["room_type"] == "DBL"
    assert detail["body"]["guests"] == 2
    assert detail["headers"]["x-original-routing-key"] == "BookStay"
    assert detail["properties"]["message_id"] == "m-1"
    assert detail["reason"].startswith("invalid-input: guest.email")
    assert (detail["command"], detail["sender"], detail["when"]) == (
        "BookStay",
        "partner-portal",
        WHEN.isoformat(),
    )


def test_a_body_that_is_not_json_is_shown_as_masked_text() -> None:
    detail = from_intake(body=b"name=Ann Berg; mail ann@example.com {").detail()
    assert isinstance(detail["body"], str)
    assert "Ann" not in detail["body"]
    assert "ann@example.com" not in detail["body"]


def test_the_re_sent_command_is_the_sender_s_without_what_dead_lettering_added() -> None:
    message = from_broker().resend()
    assert message.user_id == "pms-bergen"
    assert (message.message_id, message.correlation_id) == ("m-1", "c-1")
    assert message.reply_to == "innkeeper.replies.pms-bergen"
    assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert message.headers == {"x-trace": "kept"}
    assert message.body == b'{"booking_id": "b"}'

    from_the_intake = from_intake(reply_to="amq.rabbitmq.reply-to.g1h2AA").resend()
    assert from_the_intake.user_id == "partner-portal"
    assert from_the_intake.headers == {}
    assert from_the_intake.reply_to is None, "the channel a direct reply-to named is gone"
