"""The external fuzzer (schemathesis) against each HTTP service started as a real process: for
`FUZZ_SECONDS`, requests generated from the service's own OpenAPI document — valid ones, invalid ones,
other methods — with an admin token, so private routes are fuzzed too. Zero failures: every answer is a
documented status with a documented content type, headers and body; nothing is a 5xx; invalid data is
refused; another method is a 405 with `Allow`. The settings and every allowance: `schemathesis.toml`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from flow.payloads import book_stay, cancel_booking, register_hotel, room, unique_city
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper

from fuzz.fuzzing import FuzzReport, fuzz


def operations_of(base_url: str) -> set[str]:
    document = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
    return {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}


async def fuzzed(base_url: str) -> FuzzReport:
    report = await asyncio.to_thread(fuzz, base_url, admin())
    if report.failures or report.errors:
        pytest.fail(report.problems(), pytrace=False)
    assert report.operations == operations_of(base_url), "every documented operation was fuzzed"
    assert report.requests >= 100, f"only {report.requests} requests in the time bound"
    return report


async def test_the_command_service_answers_only_as_its_openapi_says(innkeeper: Innkeeper) -> None:
    await innkeeper.start(projectors=0, queries=0)
    assert innkeeper.command is not None
    await fuzzed(innkeeper.command.url)


async def test_the_query_service_answers_only_as_its_openapi_says(innkeeper: Innkeeper) -> None:
    await innkeeper.start()
    assert innkeeper.command is not None
    # Documents of every kind, so list answers hold real items to check against their schemas.
    check_in = datetime.now(UTC).date() + timedelta(days=3)
    hotel = register_hotel("Fuzz Inn", unique_city(), 3, room("DBL", 2, "120.00"), room("SGL", 1, "80.00"))
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as http:
        commands = HttpCommands(http)
        accepted(await commands.send("RegisterHotel", hotel))
        stay = book_stay(hotel["hotel_id"], "DBL", check_in, 2, "fuzz-guest")
        accepted(await commands.send("BookStay", stay))
        accepted(await commands.send("CancelBooking", cancel_booking(stay["booking_id"])))
        accepted(await commands.send("BookStay", book_stay(hotel["hotel_id"], "SGL", check_in, 1)))
    await innkeeper.wait_caught_up()
    await fuzzed(innkeeper.queries[0].url)


async def test_the_notifier_answers_only_as_its_openapi_says(innkeeper: Innkeeper) -> None:
    # Three GET routes: 20 s reach every check many times over.
    notifier = await innkeeper.start_notifier()
    report = await asyncio.to_thread(fuzz, notifier.url, admin(), 20)
    if report.failures or report.errors:
        pytest.fail(report.problems(), pytrace=False)
    assert report.operations == operations_of(notifier.url), "every documented operation was fuzzed"
    assert report.requests >= 100, f"only {report.requests} requests in the time bound"
