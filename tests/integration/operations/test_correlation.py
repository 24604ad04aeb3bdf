"""One correlation id, sent with an HTTP BookStay, followed through the three services: the command
service's log line, the event envelope on the bus, the projector's log line for the applied event, and
the query service's answer and log line. Every log line of every service is JSON and names its service."""

from __future__ import annotations

from uuid import uuid4

import httpx
from testkit.auth import admin
from testkit.innkeeper import Innkeeper
from testkit.waiting import wait_until

from innkeeper_contracts import EventEnvelope
from operations.support import bus_tap, hotel, lines_with, log_lines, stay

SERVICES = {"command_service": "command-service", "projector": "projector", "query_service": "query-service"}


async def test_one_correlation_id_follows_a_booking_from_request_to_read_document(system: Innkeeper) -> None:
    # Good reads are logged at DEBUG (4xx at INFO, 5xx and slow answers at WARNING): following one
    # read by its id is what LOG_LEVEL=DEBUG is for.
    await system.start(LOG_LEVEL="DEBUG")
    assert system.command is not None
    cid = f"trace-{uuid4().hex}"
    registered, booked = hotel(), None
    async with (
        bus_tap(system.env["RABBITMQ_URL"], "booking.stay_booked") as tapped,
        httpx.AsyncClient(headers=admin(), base_url=system.command.url, timeout=30) as commands,
        httpx.AsyncClient(headers=admin(), base_url=system.queries[0].url, timeout=30) as queries,
    ):
        assert (await commands.post("/hotels", json=registered)).status_code == 202
        booked = stay(registered["hotel_id"])
        answer = await commands.post("/bookings", json=booked, headers={"X-Correlation-Id": cid})
        assert answer.status_code == 202, answer.text
        assert answer.headers["x-correlation-id"] == cid
        assert answer.json()["correlation_id"] == cid
        token = answer.json()["consistency_token"]

        # On the bus: the envelope and the AMQP properties carry the id.
        await wait_until(lambda: len(tapped) >= 1, 20, "StayBooked on the bus")
        [message] = tapped
        envelope = EventEnvelope.model_validate_json(message.body)
        assert (envelope.event_type, envelope.correlation_id) == ("StayBooked", cid)
        assert message.correlation_id == cid
        command_id = envelope.causation_id

        # The read: the query service echoes the caller's id, waits for the token, logs the id.
        read = await queries.get(
            f"/bookings/{booked['booking_id']}",
            headers={"X-Consistency-Token": token, "X-Correlation-Id": cid},
        )
        assert read.status_code == 200
        assert (read.headers["x-correlation-id"], read.headers["x-consistency"]) == (cid, "caught-up")
        # A read without an id gets one made up, and sends it back.
        assert (await queries.get(f"/bookings/{booked['booking_id']}")).headers["x-correlation-id"]

    [projector] = system.projectors
    # The booking's two events (the stay, its confirmation) were applied under the request's id.
    await wait_until(lambda: len(lines_with(projector, event="event.applied", correlation_id=cid)) >= 2, 10)

    # One grep for the id finds the request's trail in every service.
    [accepted] = lines_with(system.command, event="command.accepted", correlation_id=cid)
    assert accepted["causation_id"] == command_id
    assert accepted["aggregate_id"] == booked["booking_id"]
    applied_lines = lines_with(projector, event="event.applied", correlation_id=cid)
    assert [line["event_type"] for line in applied_lines] == ["StayBooked", "GuestNotificationRequested"]
    applied = applied_lines[0]
    assert (applied["event_id"], applied["causation_id"]) == (str(envelope.event_id), command_id)
    assert applied_lines[1]["causation_id"] == command_id
    answered = lines_with(system.queries[0], event="query.answered", correlation_id=cid)
    assert [(line["status"], line["level"]) for line in answered] == [(200, "debug")]
    assert answered[0]["route"] == "/bookings/{booking_id}"

    # Every line of every process is JSON and names its service.
    for process in [system.command, projector, *system.queries]:
        lines = log_lines(process)
        assert lines, process.module
        assert {line.get("service") for line in lines} == {SERVICES[process.module]}
