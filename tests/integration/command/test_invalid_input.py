"""Clear rejection: each class of invalid input gets its precise 4xx problem, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import orjson
from command_support import (
    booking_body,
    command_client,
    command_sender,
    dead_letters,
    fetch,
    fetchval,
    hotel_body,
    today,
    wait_for_intake,
)

STATE = """
SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM bookings) AS bookings,
       (SELECT coalesce(sum(booked), 0) FROM room_nights) AS booked,
       (SELECT string_agg(status, ',' ORDER BY booking_id) FROM bookings) AS statuses,
       (SELECT sum(capacity) FROM room_types) AS capacity
"""


def problem(response: httpx.Response, status: int, problem_type: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["type"]) == (status, f"https://innkeeper.dev/problems/{problem_type}")
    assert body["instance"] == response.request.url.raw_path.decode().split("?")[0]
    assert body["correlation_id"] == response.headers["x-correlation-id"]
    return body


def error_locations(body: dict[str, Any]) -> list[list[Any]]:
    return [error["loc"] for error in body["errors"]]


async def test_each_invalid_http_command_gets_its_precise_problem(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body(capacity=2, max_guests=2)
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        booked = await client.post("/bookings", json=booking_body(hotel_id))
        cancelled = await client.post("/bookings", json=booking_body(hotel_id))
        cancel_url = f"/bookings/{cancelled.json()['aggregate_id']}/cancel"
        assert (await client.post(cancel_url, json={"reason": "plans changed"})).status_code == 202
        assert booked.status_code == 202
        before = dict((await fetch(dsn, STATE))[0])

        malformed = await client.post(
            "/bookings", content=b"{not json", headers={"content-type": "application/json"}
        )
        problem(malformed, 400, "malformed-body")

        missing = booking_body(hotel_id)
        del missing["guest"]
        body = problem(await client.post("/bookings", json=missing), 422, "invalid-input")
        assert error_locations(body) == [["body", "guest"]]
        assert body["errors"][0]["type"] == "missing"

        body = problem(
            await client.post("/bookings", json=booking_body(hotel_id, guests="two")), 422, "invalid-input"
        )
        assert error_locations(body) == [["body", "guests"]]

        bad_email = booking_body(hotel_id)
        bad_email["guest"]["email"] = "not-an-email"
        body = problem(await client.post("/bookings", json=bad_email), 422, "invalid-input")
        assert error_locations(body) == [["body", "guest", "email"]]

        backwards = booking_body(hotel_id, check_out=today().isoformat())
        body = problem(await client.post("/bookings", json=backwards), 422, "invalid-input")
        assert "check_out must be after check_in" in body["detail"]

        body = problem(
            await client.post("/bookings", json=booking_body(hotel_id, nights=31)), 422, "invalid-input"
        )
        assert "at most 30 nights" in body["detail"]

        past = booking_body(hotel_id, check_in=today() - timedelta(days=1))
        body = problem(await client.post("/bookings", json=past), 422, "invalid-input")
        assert error_locations(body) == [["body", "check_in"]]

        problem(await client.post("/bookings", json=booking_body(str(uuid4()))), 404, "not-found")
        unknown_room = booking_body(hotel_id, room_type="SUITE")
        problem(await client.post("/bookings", json=unknown_room), 404, "not-found")
        problem(
            await client.post(
                f"/hotels/{hotel_id}/room-types/SUITE/rate",
                json={"nightly_rate": {"amount": "1.00", "currency": "EUR"}},
            ),
            404,
            "not-found",
        )
        problem(await client.post(f"/bookings/{uuid4()}/cancel", json={"reason": "x"}), 404, "not-found")

        crowd = booking_body(hotel_id, guests=3)
        problem(await client.post("/bookings", json=crowd), 409, "business-rule")
        problem(await client.post(cancel_url, json={"reason": "again"}), 409, "business-rule")
        capacity_url = f"/hotels/{hotel_id}/room-types/DBL/capacity"
        problem(await client.post(capacity_url, json={"capacity": 0}), 409, "business-rule")

        body = problem(await client.post(capacity_url, json={"capacity": -1}), 422, "invalid-input")
        assert error_locations(body) == [["body", "capacity"]]
        body = problem(
            await client.post("/hotels/not-a-uuid/room-types/DBL/capacity", json={"capacity": 1}),
            422,
            "invalid-input",
        )
        assert error_locations(body) == [["path", "hotel_id"]]
        problem(await client.get("/nowhere"), 404, "not-found")

        given = await client.post("/bookings", json=crowd, headers={"X-Correlation-Id": "trace-me"})
        assert given.headers["x-correlation-id"] == "trace-me"
        assert given.json()["correlation_id"] == "trace-me"

        assert dict((await fetch(dsn, STATE))[0]) == before


async def test_poison_messages_are_dead_lettered_while_valid_ones_are_processed(
    command_env: dict[str, str],
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id="valid-1")
        await sender.send("BookStay", b"{not json", correlation_id="not-json")
        await sender.send("BookStay", orjson.dumps({"hotel_id": str(uuid4())}), correlation_id="invalid")
        await sender.send(
            "innkeeper.commands.intake", orjson.dumps(hotel_body()), correlation_id="unknown", exchange=""
        )
        await sender.send("BookStay", orjson.dumps(booking_body(str(uuid4()))), correlation_id="no-hotel")
        await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id="valid-2")
        await sender.wait_for_replies(6)

        assert sender.reply_to("valid-1")["status"] == "accepted"
        assert sender.reply_to("valid-2")["status"] == "accepted"
        assert (sender.reply_to("not-json")["status"], sender.reply_to("not-json")["type"]) == (
            400,
            "https://innkeeper.dev/problems/malformed-body",
        )
        invalid = sender.reply_to("invalid")
        assert (invalid["status"], invalid["type"]) == (422, "https://innkeeper.dev/problems/invalid-input")
        assert ["guest"] in [error["loc"] for error in invalid["errors"]]
        assert sender.reply_to("unknown")["type"] == "https://innkeeper.dev/problems/malformed-body"
        assert (sender.reply_to("no-hotel")["status"], sender.reply_to("no-hotel")["type"]) == (
            404,
            "https://innkeeper.dev/problems/not-found",
        )

        letters = await dead_letters(url, 3)
        reasons = {letter.correlation_id: str(letter.headers["x-rejection-reason"]) for letter in letters}
        assert set(reasons) == {"not-json", "invalid", "unknown"}
        assert reasons["not-json"].startswith("malformed-body")
        assert reasons["invalid"].startswith("invalid-input")
        assert "unknown command" in reasons["unknown"]
        assert [letter.body for letter in letters if letter.correlation_id == "not-json"] == [b"{not json"]
        assert await fetchval(dsn, "SELECT count(*) FROM events") == 2
        assert (await client.get("/readyz")).json()["rabbitmq"] == "up"


async def test_amqp_commands_carry_all_ids_in_the_body(command_env: dict[str, str]) -> None:
    url = command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        hotel = hotel_body(capacity=1)
        await client.post("/hotels", json=hotel)
        change = {"hotel_id": hotel["hotel_id"], "room_type": "DBL", "capacity": 4}
        await sender.send("ChangeRoomCapacity", orjson.dumps(change), correlation_id="capacity")
        await sender.wait_for_replies(1)
        assert sender.reply_to("capacity")["status"] == "accepted"
        capacity = await fetchval(command_env["POSTGRES_DSN"], "SELECT capacity FROM room_types")
        assert capacity == 4
