"""The notifier's spans, with the SDK's in-memory exporter: an event's intake span is a child of its
message's traceparent and its planned deliveries keep the span's context; a send is a span of the
stored context, whenever it is made; with tracing off nothing is made or stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from notifier_builders import GuestKeysHeld, envelope, stay
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from innkeeper_contracts import GuestNotificationRequested
from notifier import spans
from notifier.backoff import Backoff
from notifier.deliveries import Delivery
from notifier.failures import TemporaryFailureError
from notifier.metrics import Metrics
from notifier.plans import PlannedDelivery
from notifier.send_attempts import SendAttempts
from notifier.store import DeliveryStore

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PUBLISH_SPAN = "b7ad6b7169203331"
INTAKE_SPAN = "00f067aa0ba902b7"
EVENT = GuestNotificationRequested(
    **stay(guest_id="g-1", email="ada@example.com", template="booking_confirmed")
)


class Message:
    def __init__(self, headers: dict[str, Any]) -> None:
        self.headers = headers


class Outcomes:
    """The store's side of an attempt: every outcome is recorded."""

    def __init__(self) -> None:
        self.recorded: list[str] = []

    async def delivered(self, delivery: Delivery) -> bool:
        self.recorded.append("delivered")
        return True

    async def retry_later(self, delivery: Delivery, seconds: float, reason: str) -> bool:
        self.recorded.append("retried")
        return True


class Channel:
    def __init__(self, failure: Exception | None = None) -> None:
        self.failure = failure

    async def send(self, delivery: Delivery) -> None:
        if self.failure is not None:
            raise self.failure


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """Tracing on, into memory (a provider of the test's own, never the process's global one)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(spans, "tracing_enabled", lambda: True)
    monkeypatch.setattr(spans, "tracer", provider.get_tracer)
    return exporter


def taken(headers: dict[str, Any]) -> list[spans.Taken]:
    planned = [PlannedDelivery("mail", "ada@example.com", "booking_confirmed")]
    return [(cast(Any, Message(headers)), envelope(EVENT), planned)]


def delivery(traceparent: str | None) -> Delivery:
    sealed = envelope(EVENT)
    return Delivery(
        id=7, event_id=sealed.event_id, event_type=sealed.event_type, channel="mail",
        recipient="ada@example.com", template="booking_confirmed", correlation_id="corr-1", envelope=sealed,
        state="sending", attempts=1,
        last_error=None, created_at=datetime.now(UTC), claim=None, traceparent=traceparent,
    )  # fmt: skip


def attempts(outcomes: Outcomes, channel: Channel) -> SendAttempts:
    store = cast(DeliveryStore, outcomes)
    return SendAttempts(
        store,
        {"mail": channel},
        Backoff(1, 10),
        keys=GuestKeysHeld(),
        max_attempts=3,
        send_timeout=5,
        lease_seconds=30,
        metrics=Metrics(),
    )


def test_an_events_deliveries_keep_its_intake_spans_context(exported: InMemorySpanExporter) -> None:
    traced, started = spans.intake_spans(
        "notifier.shard-0", taken({"traceparent": f"00-{TRACE_ID}-{PUBLISH_SPAN}-01"})
    )
    spans.end_all(started)

    [intake] = exported.get_finished_spans()
    assert intake.name == "intake GuestNotificationRequested"
    assert intake.kind == SpanKind.CONSUMER
    assert intake.parent is not None
    assert format(intake.parent.span_id, "016x") == PUBLISH_SPAN
    [(_, _, [planned])] = traced
    assert planned.traceparent is not None
    assert planned.traceparent.startswith(f"00-{TRACE_ID}-{intake.context.span_id:016x}-")


def test_tracing_off_plans_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spans, "tracing_enabled", lambda: False)
    untouched = taken({"traceparent": f"00-{TRACE_ID}-{PUBLISH_SPAN}-01"})
    traced, started = spans.intake_spans("notifier.shard-0", untouched)
    assert traced is untouched
    assert started == []
    assert untouched[0][2][0].traceparent is None


async def test_a_send_is_a_span_of_the_stored_context(exported: InMemorySpanExporter) -> None:
    outcomes = Outcomes()
    await attempts(outcomes, Channel()).make(delivery(f"00-{TRACE_ID}-{INTAKE_SPAN}-01"))

    assert outcomes.recorded == ["delivered"]
    [send] = exported.get_finished_spans()
    assert send.name == "deliver mail"
    assert format(send.context.trace_id, "032x") == TRACE_ID
    assert send.parent is not None
    assert format(send.parent.span_id, "016x") == INTAKE_SPAN
    assert send.attributes is not None
    assert send.attributes["innkeeper.delivery.outcome"] == "delivered"
    assert send.status.status_code == StatusCode.UNSET


async def test_a_failed_attempt_is_an_error_span_in_the_same_trace(exported: InMemorySpanExporter) -> None:
    outcomes = Outcomes()
    await attempts(outcomes, Channel(TemporaryFailureError("451 try later"))).make(
        delivery(f"00-{TRACE_ID}-{INTAKE_SPAN}-01")
    )

    assert outcomes.recorded == ["retried"]
    [send] = exported.get_finished_spans()
    assert format(send.context.trace_id, "032x") == TRACE_ID
    assert send.status.status_code == StatusCode.ERROR
    assert send.attributes is not None
    assert send.attributes["innkeeper.delivery.outcome"] == "retried"


async def test_a_delivery_planned_untraced_is_sent_in_a_trace_of_its_own(
    exported: InMemorySpanExporter,
) -> None:
    await attempts(Outcomes(), Channel()).make(delivery(None))
    [send] = exported.get_finished_spans()
    assert send.parent is None
