"""The projector's spans, with the SDK's in-memory exporter: each applied event's `project` span is a
child of its message's traceparent and its log line carries that trace id; with tracing off the batch
path makes no span at all."""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from projector_builders import Log, room, stay
from pymongo.errors import DocumentTooLarge
from test_writes_per_event import QuietShard

from innkeeper_contracts import HotelRegistered, StayBooked
from innkeeper_kit.logging import configure_logging
from projector import bookkeeping, spans
from projector.consumer import ShardConsumer
from projector.ports import ParkingLot, ReadStore
from projector.store.memory import MemoryStore
from projector.store.mongo import MONGO_FAILURES
from projector.writer import BatchWriter

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PUBLISH_SPAN = "b7ad6b7169203331"
HEADERS = {"traceparent": f"00-{TRACE_ID}-{PUBLISH_SPAN}-01"}


class Message:
    """What the consumer reads of an incoming message."""

    def __init__(self, body: bytes, headers: dict[str, Any]) -> None:
        self.body, self.headers, self.message_id = body, headers, None
        self.acked = False

    async def ack(self, multiple: bool = False) -> None:
        self.acked = True


class Parking:
    def __init__(self) -> None:
        self.malformed: list[str] = []

    async def park_malformed(self, body: bytes, reason: str, shard: str, message_id: str | None) -> None:
        self.malformed.append(reason)


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """Tracing on, into memory (a provider of the test's own, never the process's global one)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(spans, "tracing_enabled", lambda: True)
    monkeypatch.setattr(spans, "tracer", provider.get_tracer)
    return exporter


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    output = io.StringIO()
    monkeypatch.setattr(sys, "stderr", output)
    configure_logging("projector", "INFO", "json")
    # A fresh logger: the module's own kept the configuration of its first use (an earlier test's).
    monkeypatch.setattr(bookkeeping, "log", structlog.get_logger("projector.processor"))
    yield output
    structlog.reset_defaults()


@dataclass
class Shard:
    """A consumer of shard 0 writing to memory, a hotel registered and applied: bookings come as messages."""

    consumer: ShardConsumer
    log: Log
    parking: Parking
    hotel: uuid.UUID

    @classmethod
    async def start(cls) -> Shard:
        log, documents, hotel = Log(), MemoryStore(), uuid.uuid4()
        rooms = [room("DBL", 10, 100)]
        registered = log.add(
            hotel, HotelRegistered(hotel_id=hotel, name="Sea", city="Faro", stars=3, room_types=rooms)
        )
        quiet = cast(Any, QuietShard())
        store = ReadStore(documents, quiet, quiet, quiet, cast(Any, None), cast(Any, None))
        writer = BatchWriter(store, cast(Any, log))
        await writer.write("shard-0", [registered])
        parking = Parking()
        consumer = ShardConsumer(
            0, writer, cast(ParkingLot, parking), cast(Any, None), MONGO_FAILURES, 10, 0.0
        )
        return cls(consumer, log, parking, hotel)

    def booking(self, headers: dict[str, Any]) -> Message:
        booking_id = uuid.uuid4()
        booked = StayBooked(**stay(booking_id, "DBL", date(2027, 3, 1), 1, hotel_id=self.hotel))
        return Message(self.log.add(booking_id, booked).model_dump_json().encode(), headers)


async def test_each_applied_event_is_a_child_of_its_messages_traceparent(
    exported: InMemorySpanExporter, lines: io.StringIO
) -> None:
    shard = await Shard.start()
    lines.seek(0)
    lines.truncate()  # not the hotel's lines
    traced, untraced = shard.booking(HEADERS), shard.booking({})
    malformed = Message(b"{}", HEADERS)
    await shard.consumer._handle(cast(Any, [traced, malformed, untraced]))

    assert untraced.acked
    assert len(shard.parking.malformed) == 1
    finished = exported.get_finished_spans()
    projects = [span for span in finished if span.name == "project StayBooked"]
    [batch] = [span for span in finished if span.name == "apply batch"]
    assert len(projects) == 2  # the malformed message has none
    first, second = projects
    assert first.kind == SpanKind.CONSUMER
    assert first.parent is not None
    assert format(first.parent.span_id, "016x") == PUBLISH_SPAN
    assert format(first.context.trace_id, "032x") == TRACE_ID
    assert second.parent is None  # no header: a trace of its own
    attributes = dict(first.attributes or {})
    assert attributes["innkeeper.shard"] == "shard-0"
    assert attributes["innkeeper.batch.size"] == 2
    assert {link.context.span_id for link in batch.links} == {span.context.span_id for span in projects}

    applied = [json.loads(line) for line in lines.getvalue().splitlines() if '"event.applied"' in line]
    assert [line.get("trace_id") for line in applied] == [TRACE_ID, format(second.context.trace_id, "032x")]
    assert applied[0]["span_id"] == format(first.context.span_id, "016x")


async def test_a_parked_event_has_an_error_span(exported: InMemorySpanExporter) -> None:
    shard = await Shard.start()
    parked: list[Any] = []

    async def refuse(name: str, envelopes: Any, spans: Any = None) -> None:
        raise DocumentTooLarge("too large")

    async def park(entries: Any, name: str, attempts: int = 0, traceparents: Any = None) -> None:
        assert traceparents == {str(entries[0][0].event_id): HEADERS["traceparent"]}
        parked.extend(entries)

    shard.consumer.writer.write = refuse  # type: ignore[method-assign,assignment]
    shard.consumer.parking.park = park  # type: ignore[method-assign,assignment]
    await shard.consumer._handle(cast(Any, [shard.booking(HEADERS)]))

    assert len(parked) == 1
    [span] = [span for span in exported.get_finished_spans() if span.name.startswith("project")]
    assert span.status.status_code == StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["innkeeper.parked"] is True


async def test_tracing_off_makes_no_span(monkeypatch: pytest.MonkeyPatch, lines: io.StringIO) -> None:
    def no_tracer(name: str) -> None:
        raise AssertionError("a tracer was asked for while tracing is off")

    monkeypatch.setattr(spans, "tracing_enabled", lambda: False)
    monkeypatch.setattr(spans, "tracer", no_tracer)
    shard = await Shard.start()
    lines.seek(0)
    lines.truncate()  # not the hotel's lines
    message = shard.booking(HEADERS)
    await shard.consumer._handle(cast(Any, [message]))
    assert message.acked
    applied = [json.loads(line) for line in lines.getvalue().splitlines() if '"event.applied"' in line]
    assert len(applied) == 1
    assert all("trace_id" not in line for line in applied)
