"""An unexpected error on either service, as a real process: a 500 problem with the correlation id and
nothing of the error, its traceback readable in the log, and the keep-alive connection still usable.

What breaks here is the data under the service, as an operator's mistake would: a read document that
no longer fits its contract, a table renamed under the command service. Bad input never gets this far.
"""

from __future__ import annotations

import json
from uuid import uuid4

import asyncpg
import httpx
from query.seed import ReadModelSeed
from testkit.services import ServiceProcess

from fuzz.edge_client import connection_of, http
from innkeeper_contracts.documents import HOTEL_DETAILS

INTERNALS = ("Traceback", "Error", "asyncpg", "pydantic", "hotels_gone", "site-packages")


def assert_unexpected_error_answered(answer: httpx.Response, process: ServiceProcess, error: str) -> None:
    assert answer.status_code == 500, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert (problem["status"], problem["type"]) == (500, "https://innkeeper.dev/problems/internal")
    assert problem["correlation_id"] == answer.headers["x-correlation-id"] == "poison-1"
    assert not [word for word in INTERNALS if word in answer.text]
    logs = process.logs()
    lines = [json.loads(line) for line in logs.splitlines() if "http.unexpected_error" in line]
    assert [line["correlation_id"] for line in lines] == ["poison-1"]
    assert lines[0]["exception"].startswith("Traceback (most recent call last):")
    assert error in lines[0]["exception"]
    assert "<traceback object" not in logs
    assert "Exception in ASGI application" not in logs  # the server saw no error: nothing to close


async def test_a_query_that_fails_unexpectedly_is_a_500_problem_on_a_connection_kept_open(
    query_service: ServiceProcess, read_model: ReadModelSeed
) -> None:
    hotel_id = str(uuid4())
    broken = {"_id": hotel_id, "hotel_id": hotel_id, "name": {"not": "a name"}}  # breaks HotelDetail
    await read_model.collection(HOTEL_DETAILS).insert_one(broken)
    async with http(query_service) as client:
        poisoned = await client.get(f"/hotels/{hotel_id}", headers={"X-Correlation-Id": "poison-1"})
        first = connection_of(poisoned)
        after = await client.get("/hotels")
        assert connection_of(after) == first
    assert_unexpected_error_answered(poisoned, query_service, "ValidationError")
    assert after.status_code == 200


async def test_a_command_that_fails_unexpectedly_is_a_500_problem_on_a_connection_kept_open(
    command_service: ServiceProcess, postgres_dsn: str
) -> None:
    connection = await asyncpg.connect(postgres_dsn)
    try:
        await connection.execute("ALTER TABLE hotels RENAME TO hotels_gone")
    finally:
        await connection.close()
    hotel = {"name": "Harbour Inn", "city": "Bergen", "stars": 4, "room_types": [ROOM]}
    async with http(command_service) as client:
        poisoned = await client.post("/hotels", json=hotel, headers={"X-Correlation-Id": "poison-1"})
        first = connection_of(poisoned)
        after = await client.post(f"/bookings/{uuid4()}/cancel", json={"reason": "plans changed"})
        assert connection_of(after) == first
    assert_unexpected_error_answered(poisoned, command_service, "UndefinedTableError")
    assert after.status_code == 404, after.text  # an ordinary answer, on the same connection


ROOM = {
    "code": "DBL",
    "name": "Double",
    "capacity": 2,
    "max_guests": 2,
    "nightly_rate": {"amount": "100.00", "currency": "EUR"},
}
