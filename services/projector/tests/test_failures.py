"""Which failures are retried (the infrastructure's) and which park their event (the rest)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, cast

import asyncpg
import pytest
from projector_builders import Log, stay
from pymongo.errors import AutoReconnect, BulkWriteError, DocumentTooLarge, ServerSelectionTimeoutError

from innkeeper_contracts import EventEnvelope, StayBooked
from projector.consumer import ShardConsumer
from projector.planner import Failure, Plan
from projector.ports import ParkingLot
from projector.projection import ReadView
from projector.retries import Attempts, Patience, retry_or_park
from projector.store.mongo import MONGO_FAILURES
from projector.writer import BatchWriter

is_infrastructure = MONGO_FAILURES.is_infrastructure


class FakeParking:
    def __init__(self) -> None:
        self.parked: list[tuple[EventEnvelope, str, str, int]] = []

    async def park(
        self,
        entries: list[tuple[EventEnvelope, str, str]],
        shard: str,
        attempts: int = 0,
        traceparents: Any = None,
    ) -> None:
        self.parked += [(envelope, kind, reason, attempts) for envelope, kind, reason in entries]


def events(count: int) -> list[EventEnvelope]:
    log = Log()
    for _ in range(count):
        booking = uuid.uuid4()
        log.add(booking, StayBooked(**stay(booking, "DBL", date(2027, 3, 1), 1)))
    return log.envelopes


@pytest.mark.parametrize(
    "error",
    [
        AutoReconnect("connection reset"),
        ServerSelectionTimeoutError("no server"),
        BulkWriteError({"writeErrors": [{"code": 91, "errmsg": "shutting down"}]}),
        asyncpg.exceptions.ConnectionDoesNotExistError("gone"),
        asyncpg.exceptions.QueryCanceledError("statement timeout"),
        ConnectionRefusedError(),
        TimeoutError(),
    ],
)
def test_the_infrastructures_errors_are_retried(error: Exception) -> None:
    assert is_infrastructure(error)


@pytest.mark.parametrize(
    "error",
    [
        DocumentTooLarge("BSON document too large"),
        BulkWriteError({"writeErrors": [{"code": 10334, "errmsg": "BSONObjectTooLarge"}]}),
        OverflowError("MongoDB can only handle up to 8-byte ints"),
        KeyError("room_types"),
    ],
)
def test_what_a_retry_cannot_fix_is_not_retried(error: Exception) -> None:
    assert not is_infrastructure(error)


async def test_a_refused_event_is_parked_at_its_first_failure_and_a_gap_after_its_wait() -> None:
    refused, gap, retried = events(3)
    plan = Plan(ReadView(), {})
    plan.failed = [Failure(refused, "invalid event: x", "refused"), Failure(gap, "gap 0..2", "gap")]
    plan.failed.append(Failure(retried, "missing document", "retry"))
    parking, attempts = FakeParking(), Attempts()
    lot = cast(ParkingLot, parking)
    await retry_or_park(lot, Patience(max_attempts=2, gap_wait_seconds=3600), "shard-0", plan, attempts)
    assert [(e, reason, n) for e, _, reason, n in parking.parked] == [(refused, "invalid event: x", 1)]
    plan.failed = plan.failed[1:]
    await retry_or_park(lot, Patience(max_attempts=2, gap_wait_seconds=0), "shard-0", plan, attempts)
    assert [e for e, *_ in parking.parked] == [refused, gap, retried]
    assert parking.parked[1][2].startswith("gap not healed after 0 s: gap 0..2")


class FailingWriter:
    """Fails every batch that holds `poison` with `error`; records the batches it applied."""

    def __init__(self, poison: EventEnvelope, error: Exception) -> None:
        self.poison, self.error = poison, error
        self.applied: list[list[EventEnvelope]] = []

    async def write(self, shard: str, envelopes: list[EventEnvelope], spans: object = None) -> None:
        if self.poison in envelopes:
            raise self.error
        self.applied.append(envelopes)


def consumer(writer: FailingWriter, parking: FakeParking) -> ShardConsumer:
    return ShardConsumer(
        0, cast(BatchWriter, writer), cast(ParkingLot, parking), cast(Any, None), MONGO_FAILURES, 10, 0.0
    )


async def test_a_batch_that_fails_for_its_data_is_narrowed_to_the_event_which_is_parked() -> None:
    first, poison, last = events(3)
    processor, parking = FailingWriter(poison, DocumentTooLarge("too large")), FakeParking()
    await consumer(processor, parking)._apply([first, poison, last])
    assert processor.applied == [[first], [last]]  # the rest of the shard moves on, in order
    assert [(e, kind) for e, kind, *_ in parking.parked] == [(poison, "failed")]
    assert parking.parked[0][2] == "cannot be applied: DocumentTooLarge: too large"
    assert parking.parked[0][3] == 2  # tried in its batch, then on its own


async def test_an_event_that_fails_alone_is_parked_after_its_one_try() -> None:
    [poison] = events(1)
    processor, parking = FailingWriter(poison, DocumentTooLarge("too large")), FakeParking()
    await consumer(processor, parking)._apply([poison])
    assert [(e, n) for e, _, _, n in parking.parked] == [(poison, 1)]


async def test_a_batch_that_fails_for_the_infrastructure_is_kept_whole_for_the_retry() -> None:
    first, poison, last = events(3)
    processor, parking = FailingWriter(poison, AutoReconnect("down")), FakeParking()
    with pytest.raises(AutoReconnect):
        await consumer(processor, parking)._apply([first, poison, last])
    assert processor.applied == []
    assert parking.parked == []
