"""Side effects and the projector's own verdict: one confirmation mail per booking (the mail catcher's
.eml files, read with the email package), `python -m projector verify` (run, not imported: live == a
rebuild), and the failpoint a scenario armed."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from conformance.checks_verdict import Verdict, first

ROOT = Path(__file__).resolve().parents[1]
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# The notifier's templates name the booking: "Booking:    <id>" (confirmation, alert), "your booking
# <id> is cancelled" (cancellation); the subject tells the kind.
BOOKING = re.compile(rf"(?:Booking:\s+|your booking\s+)({UUID})", re.IGNORECASE)
KINDS = (("is booked", "confirmed"), ("is cancelled", "cancelled"), ("alert", "alert"))
VERIFY_TIMEOUT = 300.0


@dataclass(frozen=True)
class Mail:
    message_id: str
    kind: str  # "confirmed" | "cancelled" | "alert" | "other"
    booking_id: str | None


def parse_mail(raw: bytes) -> Mail:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    subject = str(message.get("Subject", "")).lower()
    kind = next((name for marker, name in KINDS if marker in subject), "other")
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if isinstance(body, EmailMessage) else ""
    found = BOOKING.search(text)
    return Mail(str(message.get("Message-ID", "")).strip(), kind, found.group(1) if found else None)


def read_mails(directory: Path) -> list[Mail]:
    if not directory.is_dir():
        return []
    return [parse_mail(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]


def one_mail_per_booking(mails: Iterable[Mail], bookings: int) -> Verdict:
    """Per booking and kind at most one distinct Message-ID. Copies with the same Message-ID (a crash
    between a send and its record) are allowed by the notifier's contract: counted, not failed."""
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    total = unknown = 0
    for mail in mails:
        total += 1
        if mail.booking_id is None:
            unknown += 1
            continue
        ids[(mail.booking_id, mail.kind)].add(mail.message_id)
    twice = [
        f"{booking[:8]} {kind} x{len(found)}"
        for (booking, kind), found in sorted(ids.items())
        if len(found) > 1
    ]
    copies = total - unknown - sum(len(found) for found in ids.values())
    confirmed = sum(1 for booking, kind in ids if kind == "confirmed")
    detail = (
        f"{total:,} mails, {confirmed:,} of {bookings:,} bookings confirmed, {len(twice):,} with two "
        f"Message-IDs, {copies:,} same-id copies, {unknown:,} naming no booking"
    )
    return Verdict("one-mail-per-booking", not twice and not unknown, detail + first(twice))


async def verify(env: dict[str, str], seconds: float = VERIFY_TIMEOUT) -> Verdict:
    """`python -m projector verify` with the run's environment: exit 0 and its summary line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "projector", "verify",
        env={**os.environ, **env}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(process.communicate(), seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        return Verdict("verify", False, f"no answer within {seconds:g} s")
    lines = output.decode(errors="replace").splitlines()
    summary = next((line for line in reversed(lines) if line.startswith("verified ")), None)
    summary = summary or (lines[-1] if lines else "no output")
    differences = [line for line in lines if line and not line.startswith(("verified ", "{"))]
    detail = f"exit {process.returncode}: {summary}" + first(differences if process.returncode else [])
    return Verdict("verify", process.returncode == 0, detail[:400])


def failpoint_fired(run_dir: Path, name: str | None) -> Verdict:
    if name is None:
        return Verdict("failpoint-fired", True, "none armed")
    fired = (run_dir / "failpoints" / name).exists()
    return Verdict("failpoint-fired", fired, f"{name}: {'fired' if fired else 'never reached'}")
