"""Idempotency: a retry gets the first answer and one set of events, over HTTP and AMQP."""

from __future__ import annotations

import asyncio

import orjson
from command_support import (
    booking_body,
    command_client,
    command_sender,
    fetchval,
    hotel_body,
    wait_for_intake,
)
from testkit.auth import bearer
from testkit.waiting import wait_until


async def test_http_retry_returns_the_first_answer_and_one_set_of_events(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body()
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        stay = booking_body(hotel["hotel_id"])  # no booking_id: the server picks one, once
        headers = {"Idempotency-Key": "book-once"}
        first = await client.post("/bookings", json=stay, headers=headers)
        retries = await asyncio.gather(
            *(client.post("/bookings", json=stay, headers=headers) for _ in range(5))
        )
        assert first.status_code == 202
        for retry in retries:
            assert (retry.status_code, retry.json()) == (first.status_code, first.json())
        assert await fetchval(dsn, "SELECT count(*) FROM bookings") == 1
        assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'StayBooked'") == 1

        other = await client.post("/bookings", json={**stay, "guests": 1}, headers=headers)
        assert other.status_code == 422
        assert other.json()["type"] == "https://innkeeper.dev/problems/idempotency-key-reused"
        assert (
            await fetchval(dsn, "SELECT count(*) FROM events") == 3
        )  # the hotel, the stay, its confirmation


async def test_concurrent_duplicates_with_one_key_book_once(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body(capacity=10)
        await client.post("/hotels", json=hotel)
        stay = booking_body(hotel["hotel_id"])
        answers = await asyncio.gather(
            *(client.post("/bookings", json=stay, headers={"Idempotency-Key": "race"}) for _ in range(8))
        )
        assert {answer.status_code for answer in answers} == {202}
        assert len({answer.content for answer in answers}) == 1
        assert await fetchval(dsn, "SELECT count(*) FROM bookings") == 1
        assert await fetchval(dsn, "SELECT max(booked) FROM room_nights") == 1


async def test_rejection_is_remembered_too(command_env: dict[str, str]) -> None:
    async with command_client(command_env) as client:
        hotel = hotel_body(capacity=1)
        await client.post("/hotels", json=hotel)
        await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
        headers = {"Idempotency-Key": "no-room"}
        stay = booking_body(hotel["hotel_id"])
        first = await client.post("/bookings", json=stay, headers=headers)
        assert first.status_code == 409
        capacity = f"/hotels/{hotel['hotel_id']}/room-types/DBL/capacity"
        assert (await client.post(capacity, json={"capacity": 2})).status_code == 202
        again = await client.post("/bookings", json=stay, headers=headers)
        assert (again.status_code, again.json()) == (409, first.json())


async def test_amqp_same_message_id_twice_gives_one_set_of_events(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client, command_sender(command_env["RABBITMQ_URL"]) as sender:
        await wait_for_intake(client)
        hotel = hotel_body()
        body = orjson.dumps(hotel)
        await sender.send("RegisterHotel", body, message_id="amqp-key", correlation_id="first")
        await sender.wait_for_replies(1)
        await sender.send("RegisterHotel", body, message_id="amqp-key", correlation_id="second")
        await sender.wait_for_replies(2)
        first, second = sender.reply_to("first"), sender.reply_to("second")
        assert first["status"] == "accepted"
        assert second == first
        assert await fetchval(dsn, "SELECT count(*) FROM events") == 1
        assert await fetchval(dsn, "SELECT count(*) FROM hotels") == 1


async def test_a_key_belongs_to_its_caller_two_callers_with_one_key_make_two_bookings(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body(capacity=10)
        await client.post("/hotels", json=hotel)
        stay = booking_body(hotel["hotel_id"])  # no booking_id: each accepted command books anew
        callers = [bearer("staff", "front-desk", hotels=[hotel["hotel_id"]]), bearer("admin", "ops")]
        answers = [
            await client.post("/bookings", json=stay, headers={**caller, "Idempotency-Key": "same-key"})
            for caller in callers
        ]
        assert [answer.status_code for answer in answers] == [202, 202]
        assert answers[0].json()["aggregate_id"] != answers[1].json()["aggregate_id"]
        assert await fetchval(dsn, "SELECT count(*) FROM bookings") == 2
        # Each caller's retry still gets its own first answer.
        again = await client.post(
            "/bookings", json=stay, headers={**callers[0], "Idempotency-Key": "same-key"}
        )
        assert again.json() == answers[0].json()


async def test_an_expired_key_is_forgotten_and_swept(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env, idempotency_retention_seconds=1) as client:
        hotel = hotel_body(capacity=10)
        await client.post("/hotels", json=hotel)
        stay = booking_body(hotel["hotel_id"])
        headers = {"Idempotency-Key": "short-lived"}
        first = await client.post("/bookings", json=stay, headers=headers)
        assert await fetchval(dsn, "SELECT count(*) FROM idempotency_keys") == 1
        await asyncio.sleep(1.2)
        # Past the retention the key names nothing: another payload under it is a new command.
        later = await client.post("/bookings", json={**stay, "guests": 1}, headers=headers)
        assert (first.status_code, later.status_code) == (202, 202)
        assert later.json()["aggregate_id"] != first.json()["aggregate_id"]
        # The sweep (every retention period, here 1 s) deletes expired keys without any lookup.
        await client.post("/bookings", json=stay, headers={"Idempotency-Key": "another"})

        async def swept() -> bool:
            return await fetchval(dsn, "SELECT count(*) FROM idempotency_keys") == 0

        await wait_until(swept, 10, "expired keys swept")
