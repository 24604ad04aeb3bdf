"""Every HTTP route by every kind of caller, against the running services: the exact status each gets.

Callers: anonymous, the guest (g-1) and another guest, staff of the hotel and staff of another hotel,
an admin, and a partner service granted only BookStay and CancelBooking. What changes state gets fresh
targets per caller, so each cell says what that caller may do, not what happened before it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
from flow.payloads import book_stay, register_hotel, room, today
from testkit.auth import admin, bearer, issuer
from testkit.commands import command_request
from testkit.forgery import ATTACKS
from testkit.innkeeper import Innkeeper

from security.conftest import PARTNER

HOTEL, OTHER_HOTEL = str(uuid4()), str(uuid4())
CALLERS: dict[str, dict[str, str]] = {
    "anonymous": {},
    "guest": bearer("guest", "g-1"),
    "other guest": bearer("guest", "g-2"),
    "staff": bearer("staff", "s-1", hotels=[HOTEL]),
    "other staff": bearer("staff", "s-2", hotels=[OTHER_HOTEL]),
    "admin": bearer("admin", "a-1"),
    "service": bearer("service", PARTNER),
}
# Columns in CALLERS order.
COMMANDS = {
    "RegisterHotel": [401, 403, 403, 403, 403, 202, 403],
    "ChangeRoomCapacity": [401, 403, 403, 202, 403, 202, 403],
    "SetNightlyRate": [401, 403, 403, 202, 403, 202, 403],
    "SetManagementContact": [401, 403, 403, 202, 403, 202, 403],
    "BookStay (for g-1)": [401, 202, 403, 202, 403, 202, 202],
    "ChangeGuestContact (g-1's)": [401, 202, 404, 202, 403, 202, 403],
    "CancelBooking (g-1's)": [401, 202, 404, 202, 403, 202, 202],
}
OPEN, OPERATORS = [200] * 7, [401, 403, 403, 403, 403, 200, 200]
READS = {
    "GET /hotels": OPEN,
    "GET /hotels/{id}": OPEN,
    "GET /hotels/{id}/availability": OPEN,
    "GET /bookings/{id}": [401, 200, 404, 200, 403, 200, 403],
    "GET /guests/g-1/bookings": [401, 200, 403, 200, 200, 200, 403],
    "GET /management/alerts": [401, 403, 403, 200, 200, 200, 403],
}
OPERATIONS = {"/healthz": OPEN, "/readyz": OPEN}
PRIVATE_READS = ("GET /bookings/{id}", "GET /guests/g-1/bookings", "GET /management/alerts")


async def test_each_caller_gets_exactly_its_status_on_every_route(system: Innkeeper) -> None:
    assert system.command is not None
    check_in = today() + timedelta(days=1)  # a cancellation now is late: it raises a management alert
    async with httpx.AsyncClient(base_url=system.command.url, timeout=30) as commands:
        for hotel in (HOTEL, OTHER_HOTEL):
            body = {
                **register_hotel("Harbour Inn", "Bergen", 4, room("DBL", 50, "100.00")),
                "hotel_id": hotel,
            }
            await expect(commands, "RegisterHotel", body, admin(), 202)
        alerted = book_stay(HOTEL, "DBL", check_in, 2, guest_id="g-1")
        await expect(commands, "BookStay", alerted, admin(), 202)
        await expect(
            commands, "CancelBooking", {"booking_id": alerted["booking_id"], "reason": "x"}, admin(), 202
        )
        # One booking of g-1 per caller to cancel, so each cancellation finds an active booking.
        targets = {caller: book_stay(HOTEL, "DBL", check_in, 2, guest_id="g-1") for caller in CALLERS}
        for target in targets.values():
            await expect(commands, "BookStay", target, admin(), 202)

        seen: dict[str, list[int]] = {name: [] for name in COMMANDS}
        for caller, headers in CALLERS.items():
            for name, (command, body) in fresh_commands(targets[caller]["booking_id"]).items():
                seen[name].append(await status(commands, command, body, headers))
    assert seen == COMMANDS

    await system.wait_caught_up()
    await see_the_reads(system, alerted["booking_id"])
    await see_the_operations(system)


async def see_the_reads(system: Innkeeper, booking_id: str) -> None:
    window = f"check_in={today()}&check_out={today() + timedelta(days=7)}"
    paths = {
        "GET /hotels": "/hotels?city=Bergen",
        "GET /hotels/{id}": f"/hotels/{HOTEL}",
        "GET /hotels/{id}/availability": f"/hotels/{HOTEL}/availability?{window}",
        "GET /bookings/{id}": f"/bookings/{booking_id}",
        "GET /guests/g-1/bookings": "/guests/g-1/bookings",
        "GET /management/alerts": "/management/alerts",
    }
    seen: dict[str, list[int]] = {name: [] for name in paths}
    async with httpx.AsyncClient(base_url=system.queries[0].url, timeout=30) as query:
        for headers in CALLERS.values():
            for name, path in paths.items():
                answer = await query.get(path, headers=headers)
                seen[name].append(answer.status_code)
                check_answer_shape(name, answer)
        staff_lists = [
            len((await query.get(path, headers=CALLERS[staff])).json()["items"])
            for staff in ("staff", "other staff")
            for path in ("/guests/g-1/bookings", "/management/alerts")
        ]
    assert seen == READS
    # Staff see their hotel's bookings and alerts, and nothing of another hotel's.
    assert min(staff_lists[:2]) >= 1
    assert staff_lists[2:] == [0, 0]


def check_answer_shape(name: str, answer: httpx.Response) -> None:
    if answer.status_code == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer"), name
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json", name
        assert answer.json()["status"] == answer.status_code
    elif name in PRIVATE_READS:
        assert answer.headers["cache-control"] == "no-store", name


async def see_the_operations(system: Innkeeper) -> None:
    assert system.command is not None
    services = {
        "command": (system.command.url, {**OPERATIONS, "/metrics": OPERATORS}),
        "query": (system.queries[0].url, {**OPERATIONS, "/metrics": OPERATORS}),
        "projector": (system.projectors[0].url, {**OPERATIONS, "/status": OPERATORS, "/metrics": OPERATORS}),
    }
    async with httpx.AsyncClient(timeout=30) as http:
        for service, (url, expected) in services.items():
            seen = {
                path: [
                    (await http.get(f"{url}{path}", headers=headers)).status_code
                    for headers in CALLERS.values()
                ]
                for path in expected
            }
            assert seen == expected, service


def fresh_commands(booking_to_cancel: str) -> dict[str, tuple[str, dict[str, Any]]]:
    check_in = today() + timedelta(days=30)
    return {
        "RegisterHotel": (
            "RegisterHotel",
            register_hotel("Fjord Lodge", "Bergen", 3, room("DBL", 1, "90.00")),
        ),
        "ChangeRoomCapacity": ("ChangeRoomCapacity", {"hotel_id": HOTEL, "room_type": "DBL", "capacity": 60}),
        "SetNightlyRate": (
            "SetNightlyRate",
            {"hotel_id": HOTEL, "room_type": "DBL", "nightly_rate": {"amount": "110.00", "currency": "EUR"}},
        ),
        "SetManagementContact": (
            "SetManagementContact",
            {"hotel_id": HOTEL, "email": "desk@harbour.example"},
        ),
        "BookStay (for g-1)": ("BookStay", book_stay(HOTEL, "DBL", check_in, 1, guest_id="g-1")),
        "ChangeGuestContact (g-1's)": (
            "ChangeGuestContact",
            {"booking_id": booking_to_cancel, "email": "ada@example.net"},
        ),
        "CancelBooking (g-1's)": (
            "CancelBooking",
            {"booking_id": booking_to_cancel, "reason": "plans changed"},
        ),
    }


async def status(
    client: httpx.AsyncClient, command: str, body: dict[str, Any], headers: dict[str, str]
) -> int:
    method, path, payload = command_request(command, body)
    answer = await client.request(method, path, json=payload, headers=headers)
    if answer.status_code != 202:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == answer.status_code
    if answer.status_code == 401:
        assert answer.headers["www-authenticate"].startswith("Bearer")
    return answer.status_code


async def expect(
    client: httpx.AsyncClient, command: str, body: dict[str, Any], headers: dict[str, str], wanted: int
) -> None:
    assert await status(client, command, body, headers) == wanted, (command, body)


async def test_a_guest_may_leave_out_their_id_and_reads_the_booking_as_theirs(system: Innkeeper) -> None:
    assert system.command is not None
    hotel = register_hotel("Harbour Inn", "Bergen", 4, room("DBL", 5, "100.00"))
    stay = book_stay(hotel["hotel_id"], "DBL", today() + timedelta(days=20), 2)
    stay["guest"] = {"name": "Ann Berg", "email": "ann@example.com"}  # no guest_id: the token says who
    guest = bearer("guest", "ann-42")
    async with httpx.AsyncClient(base_url=system.command.url, timeout=30) as commands:
        await expect(commands, "RegisterHotel", hotel, admin(), 202)
        await expect(commands, "BookStay", stay, guest, 202)
        stay["guest"]["guest_id"] = "ann-42"
        await expect(commands, "BookStay", {**stay, "booking_id": str(uuid4())}, guest, 202)
        # Staff and services name the guest: without an id the booking is refused on that field.
        del stay["guest"]["guest_id"]
        answer = await commands.post("/bookings", json={**stay, "booking_id": str(uuid4())}, headers=admin())
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "guest", "guest_id"]
    await system.wait_caught_up()
    async with httpx.AsyncClient(base_url=system.queries[0].url, timeout=30) as query:
        mine = await query.get(f"/bookings/{stay['booking_id']}", headers=guest)
        listed = await query.get("/guests/ann-42/bookings", headers=guest)
    assert mine.status_code == 200
    assert mine.json()["guest"]["guest_id"] == "ann-42"
    assert len(listed.json()["items"]) == 2


async def test_a_forged_token_is_refused_before_anything_is_written(system: Innkeeper) -> None:
    assert system.command is not None
    hotel = register_hotel("Harbour Inn", "Bergen", 4, room("DBL", 5, "100.00"))
    async with httpx.AsyncClient(base_url=system.command.url, timeout=30) as commands:
        answers = {
            name: (
                await commands.post(
                    "/hotels", json=hotel, headers={"Authorization": f"Bearer {forge(issuer())}"}
                )
            )
            for name, forge in ATTACKS.items()
        }
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(ATTACKS, 401)
    assert all('error="invalid_token"' in answer.headers["www-authenticate"] for answer in answers.values())
    assert await system.fetch("SELECT * FROM events") == []
