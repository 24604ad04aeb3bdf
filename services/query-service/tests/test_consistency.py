"""The read-your-writes gate with a fake read model: waits, backs off, gives up at the bound."""

from __future__ import annotations

import asyncio
from uuid import UUID, uuid4

import pytest

from innkeeper_contracts import ConsistencyToken
from query_service.consistency import ConsistencyGate, parse_token
from query_service.errors import InvalidQueryError
from query_service.metrics import Metrics


class FakeReadModel:
    """Checkpoint versions that advance by one each poll, up to `final`."""

    def __init__(self, start: int, final: int) -> None:
        self.version, self.final, self.polls = start, final, 0

    async def checkpoint_version(self, aggregate_id: UUID) -> int:
        self.polls += 1
        current = self.version
        self.version = min(self.version + 1, self.final)
        return current


class FakeProgress:
    async def position(self) -> int:
        return 40


def gate(read_model: FakeReadModel, max_wait: float) -> tuple[ConsistencyGate, Metrics]:
    metrics = Metrics()
    found = ConsistencyGate(read_model, FakeProgress(), metrics, max_wait, first_delay=0.001, max_delay=0.004)
    return found, metrics


def token(version: int) -> ConsistencyToken:
    return ConsistencyToken(aggregate_id=uuid4(), aggregate_version=version, global_position=50)


async def test_without_token_the_answer_is_eventual() -> None:
    found, _ = gate(FakeReadModel(0, 0), 1)
    freshness = await found.freshness(None)
    assert (freshness.consistency, freshness.position) == ("eventual", 40)


async def test_waits_until_the_checkpoint_reaches_the_version() -> None:
    read_model = FakeReadModel(start=0, final=3)
    found, metrics = gate(read_model, max_wait=30)
    freshness = await found.freshness(token(3))
    assert freshness.consistency == "caught-up"
    assert read_model.polls == 4
    assert freshness.position == 50  # at least the token's position once caught up
    assert metrics.consistency_waits.labels("waited")._value.get() == 1


async def test_gives_up_at_the_bound_and_says_stale() -> None:
    read_model = FakeReadModel(start=0, final=0)
    found, metrics = gate(read_model, max_wait=0.05)
    freshness = await found.freshness(token(1))
    assert (freshness.consistency, freshness.position) == ("stale", 40)
    assert read_model.polls > 1  # it polled again rather than failing at once
    assert metrics.consistency_waits.labels("timeout")._value.get() == 1


async def test_polling_sleeps_between_checks() -> None:
    read_model = FakeReadModel(start=0, final=0)
    found, _ = gate(read_model, max_wait=0.05)
    sleeps: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(delay: float) -> None:
        sleeps.append(delay)
        await real_sleep(delay)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("query_service.consistency.asyncio.sleep", recording_sleep)
        await found.freshness(token(1))
    assert sleeps
    assert all(delay > 0 for delay in sleeps)
    assert sleeps[:3] == [0.001, 0.002, 0.004]


@pytest.mark.parametrize("header", ["", "1", "1.2.3", f"a.{uuid4()}.1", f"1.{uuid4()}.0", "x" * 500])
def test_malformed_tokens_are_422(header: str) -> None:
    with pytest.raises(InvalidQueryError):
        parse_token(header)


def test_a_token_round_trips() -> None:
    original = token(7)
    assert parse_token(original.encode()) == original
