#!/usr/bin/env python3
"""A short story through Innkeeper's public HTTP APIs (`make demo`, against `make run` or docker compose),
told with the integrators' client (`innkeeper_client`, shared/client).

An admin registers two hotels; anyone searches the catalogue; a guest books stays for herself, reads
each booking back with its consistency token (so the read waits for the projector) and cancels one
late (no refund, management alert) and one three days ahead (half refund); the hotel's staff read the
alert feed. Every command carries an Idempotency-Key (the client's); each caller sends its own bearer
token, minted with the development key under .run/auth/ as `make token` does (the services of `make run`
and of docker compose in development mode trust it). Last, Ana's mailbox: the cancellation mail the
notifier sent, as `make run`'s mail catcher kept it under .run/mail/ (under docker compose: Mailpit's web
UI).

Settings: COMMAND_URL (default http://127.0.0.1:8001), QUERY_URL (default http://127.0.0.1:8002) and
RUN_DIR (default .run/), or the flags of `--help`. Exit 0 when the story went as told, 1 when an answer
was wrong, 2 when a service cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, TypeVar

import httpx

from innkeeper_client import InnkeeperClient, InnkeeperError, NoAnswerError
from innkeeper_contracts import BookStay, CancelBooking, CommandAccepted, Money, RegisterHotel, Role
from innkeeper_contracts.documents import BookingDetail
from innkeeper_kit.auth.dev import DevelopmentIssuer

Json = dict[str, Any]
T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
GUEST_ID = "demo-ana"
READ_BACK_SECONDS = 20.0
START_FIRST = (
    "Start Innkeeper first: `make run` (no Docker) or `docker compose up -d`, or point the demo elsewhere "
    "with --command-url / --query-url."
)


class DemoError(Exception):
    """The story cannot go on; the message says what went wrong."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Callers:
    """One InnkeeperClient per caller (their bearer token; None: anonymous), all closed at the end."""

    def __init__(self, stack: AsyncExitStack, command_url: str, query_url: str, issuer: DevelopmentIssuer):
        self.stack, self.issuer = stack, issuer
        self.command_url, self.query_url = command_url, query_url

    async def as_(
        self, role: Role | None, subject: str = "", hotels: tuple[str, ...] = ()
    ) -> InnkeeperClient:
        token = self.issuer.token(role, subject, hotels=hotels) if role else None
        client = InnkeeperClient(command_url=self.command_url, query_url=self.query_url, token=token)
        return await self.stack.enter_async_context(client)


async def answer(what: str, call: Awaitable[T]) -> T:
    """The call's answer; a refusal or no answer as a DemoError a person can act on."""
    try:
        return await call
    except NoAnswerError as error:
        raise DemoError(f"{what}: {error}.\n{START_FIRST}", exit_code=2) from None
    except InnkeeperError as error:
        raise DemoError(f"{what}: {problem(error)}") from None


def problem(error: InnkeeperError) -> str:
    """A problem-details answer in one line."""
    if error.problem is None:
        return str(error)
    found = error.problem
    errors = "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in found.errors)
    text = f"{found.status} {found.title}: {found.detail}"
    return f"{text} ({errors})" if errors else text


def money(value: Money | None) -> str:
    return f"{value.amount} {value.currency}" if value else "-"


def step(number: int, title: str) -> None:
    print(f"\n{number}. {title}")


def line(label: str, value: object) -> None:
    print(f"   {label:<15}{value}")


def room(code: str, name: str, capacity: int, guests: int, rate: str) -> Json:
    return {
        "code": code,
        "name": name,
        "capacity": capacity,
        "max_guests": guests,
        "nightly_rate": {"amount": rate, "currency": "EUR"},
    }


HOTELS: list[Json] = [
    {
        "name": "Hotel Aurora",
        "city": "Lisbon",
        "stars": 4,
        "management_email": "management@aurora.example",
        "room_types": [
            room("DBL", "Double room", 5, 2, "120.00"),
            room("STE", "Tagus suite", 2, 4, "310.00"),
        ],
    },
    {
        "name": "Canal House",
        "city": "Amsterdam",
        "stars": 3,
        "room_types": [room("TWN", "Twin room", 8, 2, "95.00")],
    },
]


async def register_hotels(admin: InnkeeperClient) -> list[CommandAccepted]:
    step(1, "An admin registers two hotels (POST /hotels)")
    answers = []
    for hotel in HOTELS:
        accepted = await answer("POST /hotels", admin.register_hotel(RegisterHotel.model_validate(hotel)))
        hotel["hotel_id"] = str(accepted.aggregate_id)
        rooms = ", ".join(
            f"{r['capacity']} {r['code']} at {r['nightly_rate']['amount']} {r['nightly_rate']['currency']}"
            for r in hotel["room_types"]
        )
        line(str(hotel["name"]), f"{hotel['city']}, {hotel['stars']}★, {rooms}")
        line("", f"accepted: hotel {accepted.aggregate_id}")
        answers.append(accepted)
    return answers


async def search(anyone: InnkeeperClient, after: CommandAccepted, check_in: date, check_out: date) -> None:
    hotel = HOTELS[0]
    step(2, f"Anyone searches {hotel['city']} for 2 guests, {check_in} → {check_out} (GET /hotels, no token)")
    page = await answer(
        "GET /hotels",
        anyone.search_hotels(
            city=hotel["city"], guests=2, check_in=check_in, check_out=check_out, after=after
        ),
    )
    for card in page.items:
        full = sorted({night for rt in card.room_types for night in rt.full_nights})
        mark = "  ← just registered" if str(card.hotel_id) == hotel["hotel_id"] else ""
        line(card.name, f"{card.stars}★ from {money(card.price_from)}, sold-out nights: {len(full)}{mark}")
    line("found", f"{len(page.items)} hotel(s) in {hotel['city']}")
    if not any(str(card.hotel_id) == hotel["hotel_id"] for card in page.items):
        raise DemoError(f"the search does not find {hotel['name']} after its registration")


async def book(
    ana: InnkeeperClient, number: int, check_in: date, nights: int, room_type: str
) -> BookingDetail:
    check_out = check_in + timedelta(days=nights)
    step(
        number,
        f"Ana books {room_type} at {HOTELS[0]['name']}, {check_in} → {check_out} (POST /bookings, her token)",
    )
    guest = {"name": "Ana Moreira", "email": "ana.moreira@example.com"}  # her id comes from her token
    stay = BookStay.model_validate(
        {"hotel_id": HOTELS[0]["hotel_id"], "room_type": room_type, "guest": guest, "guests": 2}
        | {"check_in": str(check_in), "check_out": str(check_out)}
    )
    accepted = await answer("POST /bookings", ana.book_stay(stay))
    line("accepted", f"booking {accepted.aggregate_id}")
    line("token", accepted.consistency_token)
    print("   read it back (GET /bookings/{id} with X-Consistency-Token):")
    booking = await answer("GET /bookings/{id}", ana.get_booking(accepted.aggregate_id, after=accepted))
    line("status", booking.status)
    line("stay", f"{booking.nights} night(s), {booking.guests} guests, {booking.room_type}")
    line("price", f"{money(booking.total_price)} ({money(booking.nightly_rate)} a night)")
    return booking


async def cancel(
    ana: InnkeeperClient, number: int, booking: BookingDetail, why: str
) -> tuple[BookingDetail, CommandAccepted]:
    days = (booking.check_in - datetime.now(UTC).date()).days
    step(number, f"Ana cancels it {days} day(s) before check-in — {why} (POST /bookings/{{id}}/cancel)")
    command = CancelBooking(booking_id=booking.booking_id, reason="plans changed")
    accepted = await answer("POST /bookings/{id}/cancel", ana.cancel_booking(command))
    line("accepted", f"correlation id {accepted.correlation_id}")
    cancelled = await answer("GET /bookings/{id}", ana.get_booking(booking.booking_id, after=accepted))
    line("status", cancelled.status)
    line(
        "refund",
        f"{money(cancelled.refund)} of {money(cancelled.total_price)} (policy: {cancelled.refund_policy})",
    )
    if cancelled.status != "cancelled":
        raise DemoError(f"booking {booking.booking_id} is {cancelled.status} after its cancellation")
    return cancelled, accepted


async def alerts(staff: InnkeeperClient, number: int, after: CommandAccepted, ours: set[str]) -> None:
    step(number, f"The staff of {HOTELS[0]['name']} read their alerts (GET /management/alerts, staff token)")
    feed = await answer("GET /management/alerts", staff.list_management_alerts(after=after))
    shown = [alert for alert in feed.items if str(alert.booking_id) in ours]
    for alert in shown:
        line("raised at", alert.raised_at.isoformat()[:19].replace("T", " "))
        line("hotel", alert.hotel_name)
        line("kinds", ", ".join(alert.kinds))
        line("refund", f"{money(alert.refund)} of {money(alert.total_price)}")
        line("message", alert.message)
    if not shown:
        raise DemoError("no management alert for the late cancellation")
    line("feed", f"{len(feed.items)} alert(s) on the first page, newest first")


def mailbox(mail_dir: Path, number: int, booking_id: str) -> None:
    step(number, f"Ana's mailbox: the notifier's mail about her cancellation ({mail_dir}/)")
    if not mail_dir.is_dir():
        line("mail", "no mail catcher here; under docker compose, Mailpit shows it: http://127.0.0.1:8025")
        return
    deadline = time.monotonic() + READ_BACK_SECONDS
    while (found := _cancellation_mail(mail_dir, booking_id)) is None:
        if time.monotonic() > deadline:
            raise DemoError(
                f"no mail about booking {booking_id} in {mail_dir} after 20 s: is the notifier up?"
            )
        time.sleep(0.2)
    path, message, text = found
    line("file", path.name)
    line("to", message["To"])
    line("subject", message["Subject"])
    refund = next(row for row in text.splitlines() if row.startswith("Refund:"))
    line("refund", refund.removeprefix("Refund:").strip())


def _cancellation_mail(mail_dir: Path, booking_id: str) -> tuple[Path, EmailMessage, str] | None:
    parser = BytesParser(policy=policy.default)
    for path in sorted(mail_dir.glob("*.eml"), reverse=True):
        message = parser.parsebytes(path.read_bytes())
        body = message.get_body(preferencelist=("plain",))
        text = str(body.get_content()) if body is not None else ""
        if f"your booking {booking_id} is cancelled" in text:
            return path, message, text
    return None


async def story(callers: Callers, mail_dir: Path) -> None:
    today = datetime.now(UTC).date()
    registered = await register_hotels(await callers.as_("admin", "demo-admin"))
    await search(await callers.as_(None), registered[0], today + timedelta(days=1), today + timedelta(days=3))
    ana = await callers.as_("guest", GUEST_ID)
    late = await book(ana, 3, today + timedelta(days=1), 2, "DBL")
    late, late_cancel = await cancel(ana, 4, late, "under 48 h: no refund, management alerted")
    early = await book(ana, 5, today + timedelta(days=3), 3, "STE")
    await cancel(ana, 6, early, "2 to 7 days ahead: half refund")
    staff = await callers.as_("staff", "demo-front-desk", hotels=(HOTELS[0]["hotel_id"],))
    await alerts(staff, 7, late_cancel, {str(late.booking_id), str(early.booking_id)})
    mailbox(mail_dir, 8, str(early.booking_id))


async def check_alive(name: str, url: str) -> None:
    """The service answers its liveness probe (not part of the client: operators' route)."""
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10.0) as http:
            status = (await http.get("/healthz")).status_code
    except httpx.TransportError as error:
        raise DemoError(
            f"cannot reach the {name} at {url} ({str(error) or type(error).__name__}).\n{START_FIRST}",
            exit_code=2,
        ) from None
    if status != 200:
        raise DemoError(f"the {name} at {url} is not healthy: /healthz answered {status}")


async def run(command_url: str, query_url: str, run_dir: Path) -> None:
    await check_alive("command service", command_url)
    await check_alive("query service", query_url)
    async with AsyncExitStack() as stack:
        callers = Callers(stack, command_url, query_url, DevelopmentIssuer.ensure(run_dir / "auth"))
        await story(callers, run_dir / "mail")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--command-url", default=os.environ.get("COMMAND_URL", "http://127.0.0.1:8001"))
    parser.add_argument("--query-url", default=os.environ.get("QUERY_URL", "http://127.0.0.1:8002"))
    parser.add_argument("--run-dir", default=os.environ.get("RUN_DIR", str(ROOT / ".run")))
    args = parser.parse_args()
    print(f"Innkeeper demo: commands at {args.command_url}, queries at {args.query_url}")
    try:
        asyncio.run(run(args.command_url, args.query_url, Path(args.run_dir)))
    except DemoError as error:
        print(f"\ndemo failed: {error}", file=sys.stderr)
        return error.exit_code
    print("\nThe story went as told.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
