"""Hostile values: control and format characters, rates past the stored type, foreign currencies, stays
beyond the horizon. Each gets its precise answer over HTTP and AMQP, and nothing is written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

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
from test_invalid_input import STATE, problem

TOO_HIGH_RATE = "333333333.34"
"""One cent above the highest nightly rate: 30 nights of it would not fit numeric(12,2)."""
NOT_TEXT = "text_control_character"
TOO_HIGH = "nightly_rate_too_high"


def hotel_with(**changes: Any) -> dict[str, Any]:
    return hotel_body() | changes


def hotel_with_room(**room_changes: Any) -> dict[str, Any]:
    body = hotel_body()
    body["room_types"] = [body["room_types"][0] | room_changes]
    return body


def with_guest_name(body: dict[str, Any], name: str) -> dict[str, Any]:
    return body | {"guest": body["guest"] | {"name": name}}


def rate(amount: str, currency: str = "EUR") -> dict[str, Any]:
    return {"nightly_rate": {"amount": amount, "currency": currency}}


async def test_hostile_values_over_http_get_a_field_level_answer_and_write_nothing(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body()
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        rate_url = f"/hotels/{hotel_id}/room-types/DBL/rate"
        before = dict((await fetch(dsn, STATE))[0])

        async def refused(url: str, body: dict[str, Any], loc: list[Any], error_type: str, said: str) -> None:
            answer = problem(await client.post(url, json=body), 422, "invalid-input")
            [error] = answer["errors"]
            assert (error["loc"], error["type"]) == (["body", *loc], error_type), answer
            assert said in error["msg"], answer

        await refused("/hotels", hotel_with(name="Inn\u0000"), ["name"], NOT_TEXT, "U+0000")
        await refused("/hotels", hotel_with(city="Ber\u202egen"), ["city"], NOT_TEXT, "U+202E RIGHT-TO-LEFT")
        guest = ["guest", "name"]
        ann = booking_body(hotel_id)
        await refused("/bookings", with_guest_name(ann, "Ann\u200bBerg"), guest, NOT_TEXT, "U+200B ZERO")
        await refused("/bookings", with_guest_name(ann, "Ann\tBerg"), guest, "text_not_one_line", "U+0009")
        cancel = f"/bookings/{uuid4()}/cancel"
        await refused(cancel, {"reason": "plans\u0000changed"}, ["reason"], NOT_TEXT, "U+0000")

        high_room = hotel_with_room(nightly_rate={"amount": TOO_HIGH_RATE, "currency": "EUR"})
        room_rate = ["room_types", 0, "nightly_rate"]
        await refused("/hotels", high_room, room_rate, TOO_HIGH, "at most 333333333.33")
        await refused(rate_url, rate("9999999999.99"), ["nightly_rate"], TOO_HIGH, "at most 333333333.33")
        odd_currency = hotel_with_room(nightly_rate={"amount": "10.00", "currency": "ABC"})
        await refused("/hotels", odd_currency, [*room_rate, "currency"], "currency_code", "ISO 4217")
        two_currencies = hotel_body()
        suite = two_currencies["room_types"][0] | {"code": "STE", **rate("10.00", "USD")}
        two_currencies["room_types"].append(suite)
        await refused("/hotels", two_currencies, ["room_types"], "mixed_currencies", "EUR, USD")
        far = booking_body(hotel_id, check_in=today() + timedelta(days=731))
        await refused("/bookings", far, ["check_in"], "beyond_booking_horizon", "at most 730 days")

        foreign = problem(await client.post(rate_url, json=rate("90.00", "USD")), 409, "business-rule")
        assert "prices in EUR" in foreign["detail"]

        assert dict((await fetch(dsn, STATE))[0]) == before
        assert await fetchval(dsn, "SELECT rate_amount FROM room_types") == 100
        # the connection is still good, and the highest rate is taken
        assert (await client.post(rate_url, json=rate("333333333.33"))).status_code == 202
        last_check_in = today() + timedelta(days=730)
        longest = booking_body(hotel_id, check_in=last_check_in, nights=30)
        assert (await client.post("/bookings", json=longest)).status_code == 202
        assert await fetchval(dsn, "SELECT max(total_price) FROM bookings") == Decimal("9999999999.90")


async def test_hostile_values_over_amqp_are_rejected_with_reason_and_write_nothing(
    command_env: dict[str, str],
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        hotel = hotel_body()
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        hotel_id = hotel["hotel_id"]
        before = dict((await fetch(dsn, STATE))[0])

        nul_name = hotel_with(name="Harbour\u0000 Inn")
        bidi_guest = with_guest_name(booking_body(hotel_id), "Ann\u202eBerg")
        too_high = {"hotel_id": hotel_id, "room_type": "DBL", **rate(TOO_HIGH_RATE)}
        foreign = {"hotel_id": hotel_id, "room_type": "DBL", **rate("90.00", "USD")}
        await sender.send("RegisterHotel", orjson.dumps(nul_name), correlation_id="nul")
        await sender.send("BookStay", orjson.dumps(bidi_guest), correlation_id="bidi")
        await sender.send("SetNightlyRate", orjson.dumps(too_high), correlation_id="too-high")
        await sender.send("SetNightlyRate", orjson.dumps(foreign), correlation_id="foreign")
        await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id="valid")
        await sender.wait_for_replies(5)

        expected = {
            "nul": (["name"], "text_control_character"),
            "bidi": (["guest", "name"], "text_control_character"),
            "too-high": (["nightly_rate"], "nightly_rate_too_high"),
        }
        for correlation_id, (loc, error_type) in expected.items():
            reply = sender.reply_to(correlation_id)
            assert (reply["status"], reply["type"]) == (
                422,
                "https://innkeeper.dev/problems/invalid-input",
            ), reply
            assert [(error["loc"], error["type"]) for error in reply["errors"]] == [(loc, error_type)]
        assert (sender.reply_to("foreign")["status"], sender.reply_to("foreign")["type"]) == (
            409,
            "https://innkeeper.dev/problems/business-rule",
        )
        assert sender.reply_to("valid")["status"] == "accepted"

        letters = await dead_letters(url, 3)
        reasons = {letter.correlation_id: str(letter.headers["x-rejection-reason"]) for letter in letters}
        assert set(reasons) == set(expected)
        assert "U+0000" in reasons["nul"]
        assert "U+202E" in reasons["bidi"]
        state = dict((await fetch(dsn, STATE))[0])
        assert state == before | {"events": before["events"] + 1, "capacity": before["capacity"] + 3}
        assert await fetchval(dsn, "SELECT count(*) FROM room_types WHERE rate_currency <> 'EUR'") == 0
