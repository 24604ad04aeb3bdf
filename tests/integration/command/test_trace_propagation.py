"""A command's trace crosses the outbox: with tracing on (the service exporting to a real OTLP receiver)
the outbox rows of a booking hold the traceparent of its HTTP request's span, the relay publishes each
event under a PRODUCER span of that trace, and the message carries that span's `traceparent` header; the
log line of the command carries the trace id. A command taken from AMQP is a CONSUMER span of the
sender's trace (its `traceparent` header), and its events continue that trace. With tracing off, the
column stays NULL and no message carries the header."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import orjson
import pytest
from command_support import (
    booking_body,
    command_client,
    command_sender,
    event_tap,
    fetch,
    hotel_body,
    wait_for_intake,
)
from testkit.auth import admin
from testkit.infra import free_port
from testkit.otlp import OtlpReceiver, ReceivedSpan
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_kit.tracing import TRACEPARENT


def parts(traceparent: str) -> tuple[str, str]:
    """(trace id, span id) of a W3C traceparent."""
    version, trace_id, span_id, _ = traceparent.split("-")
    assert version == "00"
    return trace_id, span_id


async def book(url: str) -> str:
    """A hotel and one booking over HTTP; the booking's id."""
    async with httpx.AsyncClient(headers=admin(), base_url=url, timeout=30) as client:
        hotel = hotel_body()
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        answer = await client.post("/bookings", json=booking_body(hotel["hotel_id"]))
        assert answer.status_code == 202
        return str(answer.json()["booking_id"])


def server_span(receiver: OtlpReceiver, route: str) -> ReceivedSpan:
    spans = [s for s in receiver.spans("command-service") if s.kind == "SERVER" and s.name == route]
    assert len(spans) == 1, [s.name for s in receiver.spans()]
    return spans[0]


def publish_spans(receiver: OtlpReceiver) -> list[ReceivedSpan]:
    return [span for span in receiver.spans("command-service") if span.name.startswith("publish ")]


async def test_a_traced_booking_is_one_trace_from_the_request_to_the_published_message(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    with OtlpReceiver() as receiver:
        traced = {**command_env, **receiver.env()}
        async with event_tap(command_env["RABBITMQ_URL"]) as tap:
            with ServiceProcess(
                "command_service", {**traced, "RELAY_ENABLED": "false"}, free_port(), log_dir
            ) as intake:
                booking_id = await book(intake.url)
                await wait_until(lambda: len(receiver.spans(name="POST /bookings")) == 1, what="span export")
                request = server_span(receiver, "POST /bookings")
                rows = await fetch(
                    dsn,
                    "SELECT o.traceparent FROM outbox o JOIN events e USING (global_position)"
                    " WHERE e.aggregate_id = $1",
                    booking_id,
                )
                assert len(rows) == 2  # the booking, and its confirmation asked for
                assert {parts(row["traceparent"]) for row in rows} == {(request.trace_id, request.span_id)}
                lines = [json.loads(line) for line in intake.logs().splitlines() if line.startswith("{")]
                assert any(
                    line.get("trace_id") == request.trace_id and line.get("span_id") == request.span_id
                    for line in lines
                ), "no log line of the request carries its trace"

            with ServiceProcess("command_service", traced, free_port(), log_dir):
                await tap.wait_for(3)  # the hotel's event, and the booking's two
                await wait_until(lambda: len(publish_spans(receiver)) == 3, what="the publish spans")
            published = [m for m in tap.messages if m.headers.get("x-event-type") != "HotelRegistered"]

        for message in published:
            header = message.headers.get(TRACEPARENT)
            assert isinstance(header, str)
            trace_id, span_id = parts(header)
            assert trace_id == request.trace_id
            (span,) = [s for s in publish_spans(receiver) if s.span_id == span_id]
            assert span.name == f"publish {message.headers['x-event-type']}"
            assert (span.kind, span.parent_span_id) == ("PRODUCER", request.span_id)
            assert span.attributes["messaging.message.id"] == message.message_id
        assert len(published) == 2
        # The relay's own SQL makes no spans: an idle poll would otherwise be a trace of its own.
        statements = [str(s.attributes.get("db.statement", "")) for s in receiver.spans("command-service")]
        assert any("INSERT INTO outbox" in statement for statement in statements)  # the commands' SQL is
        assert not [statement for statement in statements if "FROM outbox o JOIN events" in statement]


async def test_untraced_commands_store_no_context_and_send_no_header(
    command_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env, relay_enabled=False) as client:
        hotel = hotel_body()
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        assert (await client.post("/bookings", json=booking_body(hotel["hotel_id"]))).status_code == 202
    stored = [row["traceparent"] for row in await fetch(dsn, "SELECT traceparent FROM outbox")]
    assert stored == [None, None, None]
    async with event_tap(command_env["RABBITMQ_URL"]) as tap, command_client(command_env):
        await tap.wait_for(3)
    assert [TRACEPARENT in (message.headers or {}) for message in tap.messages] == [False] * 3


async def test_a_command_message_continues_its_senders_trace(
    command_env: dict[str, str], log_dir: Path
) -> None:
    sender_trace, sender_span = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
    with OtlpReceiver() as receiver:
        traced = {**command_env, **receiver.env(), "RELAY_ENABLED": "false"}
        with ServiceProcess("command_service", traced, free_port(), log_dir) as service:
            async with httpx.AsyncClient(headers=admin(), base_url=service.url, timeout=30) as client:
                await wait_for_intake(client)
            hotel = hotel_body()
            async with command_sender(command_env["RABBITMQ_URL"]) as sender:
                headers = {TRACEPARENT: f"00-{sender_trace}-{sender_span}-01"}
                await sender.send("RegisterHotel", orjson.dumps(hotel), correlation_id="c1", headers=headers)
                await sender.wait_for_replies(1)
            assert sender.reply_to("c1")["status"] == "accepted"
            await wait_until(lambda: receiver.spans(name="process RegisterHotel"), what="the consumer span")
        (span,) = receiver.spans("command-service", "process RegisterHotel")
        assert (span.kind, span.trace_id, span.parent_span_id) == ("CONSUMER", sender_trace, sender_span)
        (stored,) = await fetch(command_env["POSTGRES_DSN"], "SELECT traceparent FROM outbox")
        assert parts(stored["traceparent"]) == (sender_trace, span.span_id)
