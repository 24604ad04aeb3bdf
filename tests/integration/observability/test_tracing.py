"""One booking is one trace: the services run as processes, each exporting its spans over OTLP/HTTP to a
real receiver (testkit/otlp.py), as to a collector. A stay booked over HTTP and read back with its
consistency token shows one trace id from the command service's request through the relay's publish to
the projector's apply and the notifier's mail; the query service's token wait is a span of its own; the
log lines about the booking carry the trace id. With tracing off, nothing of it travels."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from testkit.amqp import event_spy
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.otlp import OtlpReceiver, ReceivedSpan
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_kit.tracing import TRACEPARENT
from observability.story import book_and_read

SECONDS = 30


@pytest.fixture
def mail(tmp_path: Path, log_dir: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail", log_dir) as catcher:
        yield catcher


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as otlp:
        yield otlp


def system_env(service_env: dict[str, str], mail: MailCatcher) -> dict[str, str]:
    # The projector's batch window short, so the booking is applied while the query service waits.
    return {**service_env, "RELAY_POLL_INTERVAL": "0.2", "SMTP_URL": mail.url, "NOTIFIER_POLL_SECONDS": "0.2",
            "CONSISTENCY_WAIT_SECONDS": "10"}  # fmt: skip


async def running(env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    system = Innkeeper(env, log_dir)
    try:
        await system.start(projectors=1, queries=1)
        await system.start_notifier()
        yield system
    finally:
        await system.close()


@pytest.fixture
async def traced(
    service_env: dict[str, str], mail: MailCatcher, receiver: OtlpReceiver, log_dir: Path
) -> AsyncIterator[Innkeeper]:
    """Every service exporting to the receiver."""
    async for system in running({**system_env(service_env, mail), **receiver.env()}, log_dir):
        yield system


@pytest.fixture
async def untraced(service_env: dict[str, str], mail: MailCatcher, log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Tracing off, as compose runs it without an endpoint: the variable set, empty."""
    async for system in running(
        {**system_env(service_env, mail), "OTEL_EXPORTER_OTLP_ENDPOINT": ""}, log_dir
    ):
        yield system


async def test_one_booking_is_one_trace_from_the_request_to_the_mail(
    traced: Innkeeper, receiver: OtlpReceiver, mail: MailCatcher
) -> None:
    stay = await book_and_read(traced)
    stay_id = UUID(stay["booking_id"])
    await wait_until(lambda: len(mail.messages()) >= 1, SECONDS, "the guest's confirmation mail")

    def published() -> list[ReceivedSpan]:
        return receiver.spans("command-service", "publish StayBooked")

    await wait_until(lambda: len(published()) == 1, SECONDS, "the relay's publish span of StayBooked")
    [publish] = published()
    trace_id = publish.trace_id

    def names() -> set[tuple[str, str]]:
        return {(span.service, span.name) for span in receiver.trace(trace_id)}

    expected = {
        ("command-service", "publish GuestNotificationRequested"),
        ("projector", "project StayBooked"),
        ("projector", "project GuestNotificationRequested"),
        ("notifier", "intake GuestNotificationRequested"),
        ("notifier", "deliver mail"),
    }
    await wait_until(lambda: expected <= names(), SECONDS, f"the booking's spans in trace {trace_id}")
    spans = receiver.trace(trace_id)
    by_id = {span.span_id: span for span in spans}
    [request] = [span for span in spans if span.service == "command-service" and span.kind == "SERVER"]
    assert request.parent_span_id == ""  # the trace starts at the request
    assert publish.kind == "PRODUCER"
    assert _ancestors(publish, by_id)[-1] == request  # the publish descends from the request, via the outbox

    [project] = [span for span in spans if span.name == "project StayBooked"]
    assert project.kind == "CONSUMER"
    assert project.parent_span_id == publish.span_id  # the message's traceparent is the publish span's
    [booked] = [row for row in await traced.events_of_type("StayBooked") if row["aggregate_id"] == stay_id]
    assert project.attributes["messaging.message.id"] == str(booked["event_id"])

    [deliver] = [span for span in spans if span.name == "deliver mail"]
    [intake] = [span for span in spans if span.name == "intake GuestNotificationRequested"]
    assert deliver.parent_span_id == intake.span_id  # the stored context of the planned delivery
    assert by_id[intake.parent_span_id].name == "publish GuestNotificationRequested"
    assert deliver.attributes["innkeeper.delivery.outcome"] == "delivered"

    # The projector's batch: an `apply batch` span linked to the event's, its MongoDB writes under it.
    def batches() -> list[ReceivedSpan]:
        return [
            s for s in receiver.spans("projector", "apply batch") if (trace_id, project.span_id) in s.links
        ]

    await wait_until(lambda: len(batches()) == 1, SECONDS, "the projector's batch span")
    [batch] = batches()
    under_batch = [span for span in receiver.trace(batch.trace_id) if span.parent_span_id == batch.span_id]
    assert under_batch, "no MongoDB command span under the batch"

    # Once started, no database call of theirs is a trace of its own: polls, probes, scrapes are untraced.
    services = receiver.spans("projector") + receiver.spans("notifier")
    later = [
        s for s in services if "db.system" in s.attributes and s.start_unix_nano > request.start_unix_nano
    ]
    roots = [(s.service, s.name, s.attributes.get("db.statement", "")) for s in later if not s.parent_span_id]
    assert roots == [], "\n".join(map(str, roots))

    # The log lines about the booking carry its trace id: the request's, the apply, the mail.
    assert traced.command is not None
    assert _lines_with(traced.command, trace_id), "no command-service line of the request"
    applied = [
        line for line in _lines_with(traced.projectors[0], trace_id) if line["event"] == "event.applied"
    ]
    assert {line["event_type"] for line in applied} >= {"StayBooked", "GuestNotificationRequested"}
    [notifier] = traced.notifiers
    assert "delivered" in [line["event"] for line in _lines_with(notifier, trace_id)]
    [record] = await traced.fetch("SELECT traceparent FROM notifier.deliveries")
    assert record["traceparent"].startswith(f"00-{trace_id}-{intake.span_id}-")

    # The query service's read waited on the token in a span of its own.
    await wait_until(
        lambda: bool(receiver.spans("query-service", "consistency.wait")), SECONDS, "the token wait"
    )
    [wait] = receiver.spans("query-service", "consistency.wait")
    requests = {span.span_id for span in receiver.spans("query-service") if span.kind == "SERVER"}
    assert wait.parent_span_id in requests  # within the read's request


async def test_with_tracing_off_no_context_travels(untraced: Innkeeper, mail: MailCatcher) -> None:
    async with event_spy(untraced.env["RABBITMQ_URL"], ["#"]) as spy:
        await book_and_read(untraced)
        await wait_until(lambda: len(mail.messages()) >= 1, SECONDS, "the guest's confirmation mail")
        headers = []
        while (message := await spy.queue.get(fail=False)) is not None:
            headers.append(message.headers)
    assert len(headers) >= 3  # the hotel, the stay, the guest's notification
    assert all(TRACEPARENT not in each for each in headers)
    [record] = await untraced.fetch("SELECT traceparent FROM notifier.deliveries")
    assert record["traceparent"] is None
    for process in untraced.processes:
        assert not any("trace_id" in line for line in _lines(process)), process.module


def _ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    """The span's parent, its parent's parent, … up to the root (within what was received)."""
    chain = []
    while span.parent_span_id in by_id:
        span = by_id[span.parent_span_id]
        chain.append(span)
    return chain


def _lines(process: ServiceProcess) -> list[dict[str, Any]]:
    """The process's JSON log lines (LOG_FORMAT=json)."""
    lines = []
    for text in process.logs().splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:  # a traceback's continuation, uvicorn's own output
            continue
    return [line for line in lines if isinstance(line, dict)]


def _lines_with(process: ServiceProcess, trace_id: str) -> list[dict[str, Any]]:
    return [line for line in _lines(process) if line.get("trace_id") == trace_id]
