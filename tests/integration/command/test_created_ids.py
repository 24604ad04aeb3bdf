"""A command's answer names what it made or changed by what it is (`booking_id`, `hotel_id`, besides
`aggregate_id`), over HTTP and AMQP alike; over HTTP the 202's `Location` points at it in the query
service, relative unless QUERY_SERVICE_PUBLIC_URL is set. A refusal names its occurrence in `instance`:
the request's path, or `urn:innkeeper:command:<message_id>` on AMQP."""

from __future__ import annotations

from uuid import uuid4

import orjson
from command_support import (
    booking_body,
    command_client,
    command_sender,
    hotel_body,
    wait_for_intake,
)

PROBLEMS = "https://innkeeper.dev/problems/"


async def test_http_answers_name_the_ids_and_locate_them_in_the_query_service(
    command_env: dict[str, str],
) -> None:
    async with command_client(command_env) as client:
        hotel = hotel_body()
        hotel_id = hotel["hotel_id"]
        registered = await client.post("/hotels", json=hotel)
        assert registered.status_code == 202
        assert registered.headers["location"] == f"/hotels/{hotel_id}"
        assert (registered.json()["hotel_id"], registered.json()["booking_id"]) == (hotel_id, None)
        chosen = await client.post("/hotels", json={**hotel_body(), "hotel_id": None})
        chosen_id = chosen.json()["aggregate_id"]  # the server chose it: the answer still names it
        assert (chosen.json()["hotel_id"], chosen.headers["location"]) == (chosen_id, f"/hotels/{chosen_id}")

        rate = {"nightly_rate": {"amount": "90.00", "currency": "EUR"}}
        changed = await client.post(f"/hotels/{hotel_id}/room-types/DBL/rate", json=rate)
        assert changed.headers["location"] == f"/hotels/{hotel_id}"
        assert changed.json()["hotel_id"] == hotel_id

        booked = await client.post("/bookings", json=booking_body(hotel_id))
        booking_id = booked.json()["booking_id"]
        assert booking_id == booked.json()["aggregate_id"]
        assert booked.json()["hotel_id"] == hotel_id
        assert booked.headers["location"] == f"/bookings/{booking_id}"

        cancelled = await client.post(f"/bookings/{booking_id}/cancel", json={"reason": "plans changed"})
        assert cancelled.status_code == 202
        assert (cancelled.json()["booking_id"], cancelled.json()["hotel_id"]) == (booking_id, None)
        assert cancelled.headers["location"] == f"/bookings/{booking_id}"

        again = await client.post(f"/bookings/{booking_id}/cancel", json={"reason": "twice"})
        assert again.status_code == 409
        problem = again.json()
        assert problem["type"] == f"{PROBLEMS}business-rule"
        assert problem["instance"] == f"/bookings/{booking_id}/cancel"
        assert "location" not in again.headers


async def test_location_is_absolute_when_the_query_service_public_url_is_set(
    command_env: dict[str, str],
) -> None:
    public = "https://api.example/query/"
    async with command_client(command_env, query_service_public_url=public) as client:
        hotel = hotel_body()
        registered = await client.post("/hotels", json=hotel)
        assert registered.headers["location"] == f"https://api.example/query/hotels/{hotel['hotel_id']}"


async def test_amqp_replies_name_the_ids_and_refusals_the_message_they_answer(
    command_env: dict[str, str],
) -> None:
    url = command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        hotel = hotel_body()
        booking = booking_body(hotel["hotel_id"], booking_id=str(uuid4()))
        refused_id = f"no-hotel-{uuid4().hex}"
        await sender.send("RegisterHotel", orjson.dumps(hotel), correlation_id="hotel")
        await sender.wait_for_replies(1)
        await sender.send("BookStay", orjson.dumps(booking), correlation_id="booking")
        await sender.send(
            "BookStay",
            orjson.dumps(booking_body(str(uuid4()))),
            message_id=refused_id,
            correlation_id="refused",
        )
        await sender.send("BookStay", b"{not json", message_id="bad-1", correlation_id="malformed")
        await sender.wait_for_replies(4)

        registered = sender.reply_to("hotel")
        assert (registered["hotel_id"], registered["booking_id"]) == (hotel["hotel_id"], None)
        booked = sender.reply_to("booking")
        assert (booked["booking_id"], booked["hotel_id"]) == (booking["booking_id"], hotel["hotel_id"])

        refused = sender.reply_to("refused")
        assert (refused["status"], refused["type"]) == (404, f"{PROBLEMS}not-found")
        assert refused["instance"] == f"urn:innkeeper:command:{refused_id}"
        assert refused["command"] == "BookStay"
        malformed = sender.reply_to("malformed")
        assert (malformed["status"], malformed["type"]) == (400, f"{PROBLEMS}malformed-body")
        assert malformed["instance"] == "urn:innkeeper:command:bad-1"
