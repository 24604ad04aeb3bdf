"""Mails grouped by the booking they name: one Message-ID per booking and kind; same-id copies counted."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from conformance.checks_side_effects import (
    Mail,
    failpoint_fired,
    one_mail_per_booking,
    parse_mail,
    read_mails,
)

B1 = "0b7e2f4c-8a51-4d0e-9c3a-2f1e6d5c4b3a"
B2 = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"


def eml(message_id: str, subject: str, text: str) -> bytes:
    message = EmailMessage()
    message["Subject"], message["Message-ID"] = subject, message_id
    message["From"], message["To"] = "innkeeper@example.org", "guest@example.org"
    message.set_content(text)
    message.add_alternative(f"<p>{text}</p>", subtype="html")
    return bytes(message)


def confirmation(event_id: str, booking: str) -> bytes:
    return eml(
        f"<{event_id}@innkeeper.local>",
        "Your stay at Inn 1 is booked from 2030-03-01",
        f"Booking:    {booking}\n",
    )


def cancellation(event_id: str, booking: str) -> bytes:
    return eml(
        f"<{event_id}@innkeeper.local>",
        "Your booking at Inn 1 is cancelled",
        f"your booking {booking} is cancelled.\n",
    )


def test_the_templates_name_the_booking_and_the_kind() -> None:
    assert parse_mail(confirmation("e1", B1)) == Mail("<e1@innkeeper.local>", "confirmed", B1)
    assert parse_mail(cancellation("e2", B1)) == Mail("<e2@innkeeper.local>", "cancelled", B1)


def test_one_mail_per_booking_and_kind_holds_and_copies_are_counted(tmp_path: Path) -> None:
    files = [confirmation("e1", B1), confirmation("e1", B1), cancellation("e2", B1), confirmation("e3", B2)]
    for number, raw in enumerate(files):
        (tmp_path / f"{number}.eml").write_bytes(raw)
    verdict = one_mail_per_booking(read_mails(tmp_path), bookings=2)
    assert verdict.ok, verdict.detail
    assert verdict.detail == (
        "4 mails, 2 of 2 bookings confirmed, 0 with two Message-IDs, 1 same-id copies, 0 naming no booking"
    )


def test_two_message_ids_for_one_booking_fail() -> None:
    mails = [parse_mail(confirmation("e1", B1)), parse_mail(confirmation("e9", B1))]
    verdict = one_mail_per_booking(mails, bookings=1)
    assert not verdict.ok
    assert "1 with two Message-IDs" in verdict.detail
    assert "confirmed x2" in verdict.detail


def test_a_mail_naming_no_booking_fails() -> None:
    verdict = one_mail_per_booking([parse_mail(eml("<x@y>", "Hello", "no booking here"))], bookings=0)
    assert not verdict.ok
    assert "1 naming no booking" in verdict.detail


def test_a_failpoint_fired_when_its_state_file_exists(tmp_path: Path) -> None:
    assert failpoint_fired(tmp_path, None).ok
    assert not failpoint_fired(tmp_path, "relay.after_publish_before_mark").ok
    (tmp_path / "failpoints").mkdir()
    (tmp_path / "failpoints" / "relay.after_publish_before_mark").touch()
    assert failpoint_fired(tmp_path, "relay.after_publish_before_mark").ok
