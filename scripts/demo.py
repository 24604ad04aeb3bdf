#!/usr/bin/env python3
"""A short story through Innkeeper's public HTTP APIs (`make demo`, against `make run` or docker compose).

An admin registers two hotels; anyone searches the catalogue; a guest books stays for herself, reads
each booking back with its consistency token (so the read waits for the projector) and cancels one
late (no refund, management alert) and one three days ahead (half refund); the hotel's staff read the
alert feed. Every POST carries an Idempotency-Key; each caller sends its own bearer token, minted with
the development key under .run/auth/ as `make token` does (the services of `make run` and of docker
compose in development mode trust it). Last, Ana's mailbox: the cancellation mail the notifier sent,
as `make run`'s mail catcher kept it under .run/mail/ (under docker compose: Mailpit's web UI).

Settings: COMMAND_URL (default http://127.0.0.1:8001), QUERY_URL (default http://127.0.0.1:8002) and
RUN_DIR (default .run/), or the flags of `--help`. Exit 0 when the story went as told, 1 when an answer
was wrong, 2 when a service cannot be reached.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import httpx

from innkeeper_kit.auth.dev import DevelopmentIssuer

Json = dict[str, Any]
ROOT = Path(__file__).resolve().parents[1]
GUEST_ID = "demo-ana"
READ_BACK_SECONDS = 20.0


class DemoError(Exception):
    """The story cannot go on; the message says what went wrong."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Api:
    """One service's HTTP API as one caller (`token`; None: anonymous), with errors a person can act on."""

    def __init__(self, name: str, url: str, token: str | None = None) -> None:
        self.name, self.url = name, url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(base_url=self.url, headers=headers, timeout=10.0)

    def as_caller(self, token: str | None) -> Api:
        """The same API, called with another token."""
        return Api(self.name, self.url, token)

    def request(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            return self.client.request(method, path, **options)
        except httpx.TransportError as error:
            reason = str(error) or type(error).__name__
            raise DemoError(
                f"cannot reach the {self.name} at {self.url} ({reason}).\n"
                "Start Innkeeper first: `make run` (no Docker) or `docker compose up -d`, or point the demo "
                "elsewhere with --command-url / --query-url.",
                exit_code=2,
            ) from None

    def check_alive(self) -> None:
        answer = self.request("GET", "/healthz")
        if answer.status_code != 200:
            raise DemoError(
                f"the {self.name} at {self.url} is not healthy: /healthz answered {answer.status_code}"
            )

    def command(self, path: str, body: Json) -> Json:
        """POST a command with a fresh Idempotency-Key; the 202 answer (ids and consistency token)."""
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        answer = self.request("POST", path, json=body, headers=headers)
        if answer.status_code != 202:
            raise DemoError(f"POST {path} answered {answer.status_code}: {problem(answer)}")
        accepted: Json = answer.json()
        return accepted

    def read(
        self, path: str, token: str | None = None, until: Callable[[Json], bool] = lambda _: True
    ) -> Json:
        """GET a read model, waiting for the write named by `token` (and, bounded, until `until` holds)."""
        headers = {"X-Consistency-Token": token} if token else {}
        deadline = time.monotonic() + READ_BACK_SECONDS
        while True:
            answer = self.request("GET", path, headers=headers)
            fresh = answer.headers.get("X-Consistency", "caught-up") != "stale"
            if answer.status_code == 200 and fresh and until(answer.json()):
                document: Json = answer.json()
                waited = answer.headers.get("X-Consistency-Waited-Ms")
                if waited is not None:
                    line("read model", f"caught up with the write (waited {waited} ms)")
                return document
            if answer.status_code not in (200, 404) or time.monotonic() > deadline:
                raise DemoError(f"GET {path} answered {answer.status_code}: {problem(answer)}")
            time.sleep(0.2)


def problem(answer: httpx.Response) -> str:
    """A problem-details answer in one line."""
    try:
        body = answer.json()
    except ValueError:
        return answer.text[:200]
    if not isinstance(body, dict):
        return str(body)[:200]
    text = f"{body.get('title', '')}: {body.get('detail', '')}".strip(": ")
    errors = "; ".join(
        f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in body.get("errors", [])
    )
    return f"{text} ({errors})" if errors else text or str(body)[:200]


def money(value: Json | None) -> str:
    return f"{value['amount']} {value['currency']}" if value else "-"


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


def register_hotels(commands: Api) -> list[str]:
    step(1, "An admin registers two hotels (POST /hotels)")
    tokens = []
    for hotel in HOTELS:
        accepted = commands.command("/hotels", hotel)
        hotel["hotel_id"] = accepted["aggregate_id"]
        rooms = ", ".join(
            f"{r['capacity']} {r['code']} at {money(r['nightly_rate'])}" for r in hotel["room_types"]
        )
        line(str(hotel["name"]), f"{hotel['city']}, {hotel['stars']}★, {rooms}")
        line("", f"accepted: hotel {accepted['aggregate_id']}")
        tokens.append(accepted["consistency_token"])
    return tokens


def search(queries: Api, token: str, check_in: date, check_out: date) -> None:
    hotel = HOTELS[0]
    step(2, f"Anyone searches {hotel['city']} for 2 guests, {check_in} → {check_out} (GET /hotels, no token)")
    params: dict[str, str | int] = {"city": hotel["city"], "guests": 2}
    params |= {"check_in": str(check_in), "check_out": str(check_out)}
    page = queries.read(
        f"/hotels?{httpx.QueryParams(params)}",
        token,
        until=lambda found: any(card["hotel_id"] == hotel["hotel_id"] for card in found["items"]),
    )
    for card in page["items"]:
        full = sorted({night for rt in card["room_types"] for night in rt["full_nights"]})
        mark = "  ← just registered" if card["hotel_id"] == hotel["hotel_id"] else ""
        line(
            card["name"],
            f"{card['stars']}★ from {money(card['price_from'])}, sold-out nights: {len(full)}{mark}",
        )
    line("found", f"{len(page['items'])} hotel(s) in {hotel['city']}")


def book(commands: Api, queries: Api, number: int, check_in: date, nights: int, room_type: str) -> Json:
    check_out = check_in + timedelta(days=nights)
    step(
        number,
        f"Ana books {room_type} at {HOTELS[0]['name']}, {check_in} → {check_out} (POST /bookings, her token)",
    )
    guest = {"name": "Ana Moreira", "email": "ana.moreira@example.com"}  # her id comes from her token
    body = {"hotel_id": HOTELS[0]["hotel_id"], "room_type": room_type, "guest": guest}
    body |= {"check_in": str(check_in), "check_out": str(check_out), "guests": 2}
    accepted = commands.command("/bookings", body)
    line("accepted", f"booking {accepted['aggregate_id']}")
    line("token", accepted["consistency_token"])
    print("   read it back (GET /bookings/{id} with X-Consistency-Token):")
    booking = queries.read(f"/bookings/{accepted['aggregate_id']}", accepted["consistency_token"])
    line("status", booking["status"])
    line("stay", f"{booking['nights']} night(s), {booking['guests']} guests, {booking['room_type']}")
    line("price", f"{money(booking['total_price'])} ({money(booking['nightly_rate'])} a night)")
    return booking


def cancel(commands: Api, queries: Api, number: int, booking: Json, why: str) -> Json:
    booking_id = booking["booking_id"]
    days = (date.fromisoformat(booking["check_in"]) - datetime.now(UTC).date()).days
    step(number, f"Ana cancels it {days} day(s) before check-in — {why} (POST /bookings/{{id}}/cancel)")
    accepted = commands.command(f"/bookings/{booking_id}/cancel", {"reason": "plans changed"})
    line("accepted", f"correlation id {accepted['correlation_id']}")
    cancelled = queries.read(f"/bookings/{booking_id}", accepted["consistency_token"])
    line("status", cancelled["status"])
    paid, back = money(cancelled["total_price"]), money(cancelled["refund"])
    line("refund", f"{back} of {paid} (policy: {cancelled['refund_policy']})")
    if cancelled["status"] != "cancelled":
        raise DemoError(f"booking {booking_id} is {cancelled['status']} after its cancellation")
    return {**cancelled, "token": accepted["consistency_token"]}


def alerts(queries: Api, number: int, token: str, ours: set[str]) -> None:
    step(number, f"The staff of {HOTELS[0]['name']} read their alerts (GET /management/alerts, staff token)")
    feed = queries.read("/management/alerts", token)
    shown = [alert for alert in feed["items"] if alert["booking_id"] in ours]
    for alert in shown:
        line("raised at", alert["raised_at"][:19].replace("T", " "))
        line("hotel", alert["hotel_name"])
        line("kinds", ", ".join(alert["kinds"]))
        line("refund", f"{money(alert['refund'])} of {money(alert['total_price'])}")
        line("message", alert["message"])
    if not shown:
        raise DemoError("no management alert for the late cancellation")
    line("feed", f"{len(feed['items'])} alert(s) on the first page, newest first")


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


def story(commands: Api, queries: Api, issuer: DevelopmentIssuer, mail_dir: Path) -> None:
    today = datetime.now(UTC).date()
    tokens = register_hotels(commands.as_caller(issuer.token("admin", "demo-admin")))
    search(queries.as_caller(None), tokens[0], today + timedelta(days=1), today + timedelta(days=3))
    ana = issuer.token("guest", GUEST_ID)
    as_ana = commands.as_caller(ana), queries.as_caller(ana)
    late = book(*as_ana, 3, today + timedelta(days=1), 2, "DBL")
    late = cancel(*as_ana, 4, late, "under 48 h: no refund, management alerted")
    early = book(*as_ana, 5, today + timedelta(days=3), 3, "STE")
    cancel(*as_ana, 6, early, "2 to 7 days ahead: half refund")
    staff = queries.as_caller(issuer.token("staff", "demo-front-desk", hotels=[HOTELS[0]["hotel_id"]]))
    alerts(staff, 7, late["token"], {late["booking_id"], early["booking_id"]})
    mailbox(mail_dir, 8, early["booking_id"])


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--command-url", default=os.environ.get("COMMAND_URL", "http://127.0.0.1:8001"))
    parser.add_argument("--query-url", default=os.environ.get("QUERY_URL", "http://127.0.0.1:8002"))
    parser.add_argument("--run-dir", default=os.environ.get("RUN_DIR", str(ROOT / ".run")))
    args = parser.parse_args()
    commands, queries = Api("command service", args.command_url), Api("query service", args.query_url)
    print(f"Innkeeper demo: commands at {commands.url}, queries at {queries.url}")
    try:
        commands.check_alive()
        queries.check_alive()
        run_dir = Path(args.run_dir)
        story(commands, queries, DevelopmentIssuer.ensure(run_dir / "auth"), run_dir / "mail")
    except DemoError as error:
        print(f"\ndemo failed: {error}", file=sys.stderr)
        return error.exit_code
    print("\nThe story went as told.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
