"""With tracing on, a parked event keeps its message's `traceparent`, and `dead-letters retry` sends it
again: the event applied after the fix is still a span of the trace of the request that caused it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from projector_kit import Bus, ReadModel, message, run_cli, start_projector
from story import Story
from testkit.otlp import OtlpReceiver
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_kit.tracing import TRACEPARENT


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    with OtlpReceiver() as otlp:
        yield otlp


async def test_a_retried_event_stays_in_its_trace(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
    receiver: OtlpReceiver,
) -> None:
    env = {**projector_env, **receiver.env()}
    story = Story(seed=5).generate(hotels=1, steps=3)
    hotel = next(iter(story.hotels))
    poison_booking = story.book(hotel, room_type="NOPE")  # the hotel has no such room type
    assert poison_booking is not None
    poison = story.events[-1]
    story.cancel(poison_booking)  # waits behind it
    bus.append(story.events)
    start_projector(env, log_dir, projectors)
    headers = {str(e.event_id): f"00-{uuid4().hex}-{uuid4().hex[:16]}-01" for e in story.events}
    for envelope in story.events:
        sent = message(envelope)
        sent.headers[TRACEPARENT] = headers[str(envelope.event_id)]
        await bus.exchange.publish(sent, routing_key=envelope.routing_key, mandatory=True)

    waiting = story.events[story.events.index(poison) :]  # the poison, then its booking's later events
    await wait_until(lambda: len(read_model.parked()) == len(waiting), what="the poison and those behind it")
    kept = {p["_id"]: p["traceparent"] for p in read_model.parked()}
    assert kept == {str(e.event_id): headers[str(e.event_id)] for e in waiting}

    bus.fix(str(poison.event_id), "room_type", "DBL")  # the operator corrects the event in the log
    code, output = await run_cli(env, "dead-letters", "retry")
    assert code == 0, output
    await wait_until(lambda: read_model.checkpoints() == story.versions, what="the parked aggregate applied")

    _, trace_id, publish_span, _ = headers[str(poison.event_id)].split("-")

    def applied_in_its_trace() -> list[str]:
        spans = receiver.trace(trace_id)
        return [
            s.parent_span_id
            for s in spans
            if s.attributes.get("messaging.message.id") == str(poison.event_id)
        ]

    # Its first tries (the last one parked it, an error) and the retry: all children of the same publish.
    await wait_until(lambda: len(applied_in_its_trace()) >= 2, what="the retried apply in the event's trace")
    assert set(applied_in_its_trace()) == {publish_span}
