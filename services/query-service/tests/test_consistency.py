"""The read-your-writes gate with a fake read model: waits, one query per tick, gives up at the bound."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any
from uuid import UUID, uuid4

import pytest

from innkeeper_contracts import ConsistencyToken
from query_service.consistency import ConsistencyGate, WaitBounds, parse_token
from query_service.errors import InvalidQueryError
from query_service.metrics import Metrics


class FakeReadModel:
    """Checkpoint versions (the same for every aggregate) that advance by one each poll, up to `final`;
    each version at position 10 x version (none at version 0). Booking and hotel pages: `pages` (by id),
    their reads (one by id, or the versions of several) counted in `page_reads`."""

    def __init__(self, start: int, final: int) -> None:
        self.version, self.final, self.polls = start, final, 0
        self.pages: dict[UUID, dict[str, Any]] = {}
        self.page_reads = 0

    async def booking(self, booking_id: UUID) -> dict[str, Any] | None:
        self.page_reads += 1
        return self.pages.get(booking_id)

    async def hotel_detail(self, hotel_id: UUID) -> dict[str, Any] | None:
        return await self.booking(hotel_id)

    async def page_versions(self, page: str, aggregate_ids: Collection[UUID]) -> dict[UUID, int]:
        self.page_reads += 1  # one read, whatever the number of pages
        found = {id_: self.pages.get(id_) for id_ in aggregate_ids}
        return {id_: page["version"] for id_, page in found.items() if page is not None}

    async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
        self.polls += 1
        current = self.version
        self.version = min(self.version + 1, self.final)
        return dict.fromkeys(aggregate_ids, (current, 10 * current)) if current else {}


class FakeProgress:
    async def projector_position(self) -> int:
        return 40


def gate(read_model: FakeReadModel, max_wait: float, **bounds: int) -> tuple[ConsistencyGate, Metrics]:
    metrics = Metrics()
    found = ConsistencyGate(
        read_model, FakeProgress(), metrics, WaitBounds(max_wait, **bounds), interval=0.001
    )
    return found, metrics


def token(version: int, position: int = 50) -> ConsistencyToken:
    return ConsistencyToken(aggregate_id=uuid4(), aggregate_version=version, global_position=position)


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


async def test_waiting_requests_share_one_query_per_tick() -> None:
    read_model = FakeReadModel(start=0, final=3)
    found, metrics = gate(read_model, max_wait=30)
    answers = await asyncio.gather(*(found.freshness(token(3)) for _ in range(20)))
    assert {answer.consistency for answer in answers} == {"caught-up"}
    assert read_model.polls == 4  # not 20 requests x 4 polls
    assert metrics.consistency_waits.labels("waited")._value.get() == 20


async def test_a_cancelled_request_stops_being_watched() -> None:
    read_model = FakeReadModel(start=0, final=0)
    found, _ = gate(read_model, max_wait=30)
    waiting = asyncio.create_task(found.freshness(token(1)))
    await asyncio.sleep(0.01)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    await asyncio.sleep(0.01)
    polls = read_model.polls
    await asyncio.sleep(0.01)
    assert read_model.polls == polls  # the watcher stopped with nobody waiting
    await found.close()


async def test_a_failed_query_reaches_the_waiters() -> None:
    class Broken(FakeReadModel):
        async def checkpoints(self, aggregate_ids: Collection[UUID]) -> dict[UUID, tuple[int, int]]:
            raise ConnectionError("store down")

    found, _ = gate(Broken(0, 0), max_wait=30)
    with pytest.raises(ConnectionError):
        await found.freshness(token(1))


async def test_beyond_the_cap_a_read_is_answered_stale_at_once() -> None:
    read_model = FakeReadModel(start=0, final=0)  # never reached: waiters wait their whole bound
    found, metrics = gate(read_model, max_wait=30, max_waiters=3)
    waiting = [asyncio.create_task(found.freshness(token(1))) for _ in range(3)]
    await asyncio.sleep(0)  # each runs up to its wait (the fake position never suspends)
    assert metrics.consistency_waiting._value.get() == 3
    over = await asyncio.gather(*(found.freshness(token(1)) for _ in range(5)))
    assert {(answer.consistency, answer.waited_seconds) for answer in over} == {("stale", 0.0)}
    assert metrics.consistency_waits.labels("capped")._value.get() == 5
    assert not any(task.done() for task in waiting)
    read_model.final = read_model.version = 1  # the write arrives: the waiters are answered
    assert {answer.consistency for answer in await asyncio.gather(*waiting)} == {"caught-up"}
    assert (await found.freshness(token(1))).consistency == "caught-up"  # a place is free again


async def test_a_token_far_ahead_of_the_projector_is_answered_stale_without_waiting() -> None:
    read_model = FakeReadModel(start=0, final=0)
    found, metrics = gate(read_model, max_wait=30, max_positions_ahead=100)
    freshness = await found.freshness(token(1, position=40 + 101))  # the projector is at 40
    assert (freshness.consistency, freshness.position) == ("stale", 40)
    assert read_model.polls == 0
    assert metrics.consistency_waits.labels("ahead")._value.get() == 1
    assert (
        await gate(FakeReadModel(1, 1), 30, max_positions_ahead=100)[0].freshness(token(1, 140))
    ).consistency == "caught-up"


async def test_a_version_the_checkpoint_passed_by_position_is_answered_stale_at_once() -> None:
    read_model = FakeReadModel(start=3, final=3)  # version 3 at position 30
    found, metrics = gate(read_model, max_wait=30)
    freshness = await found.freshness(token(9_999_999_999, position=30))  # no such version there
    assert freshness.consistency == "stale"
    assert read_model.polls == 1
    assert metrics.consistency_waits.labels("unreachable")._value.get() == 1


@pytest.mark.parametrize("header", ["", "1", "1.2.3", f"a.{uuid4()}.1", f"1.{uuid4()}.0", "x" * 500])
def test_malformed_tokens_are_422(header: str) -> None:
    with pytest.raises(InvalidQueryError):
        parse_token(header)


def test_a_token_round_trips() -> None:
    original = token(7)
    assert parse_token(original.encode()) == original


async def test_a_page_at_the_token_version_answers_with_one_read_and_no_checkpoint() -> None:
    read_model = FakeReadModel(start=0, final=0)  # no checkpoint ever: only the page can settle it
    found, metrics = gate(read_model, max_wait=30)
    wanted = token(2)
    read_model.pages[wanted.aggregate_id] = {"version": 3}
    for kind in ("booking", "hotel"):
        freshness, page = await found.document(wanted, kind, wanted.aggregate_id)
        assert (freshness.consistency, freshness.position, page) == ("caught-up", 50, {"version": 3})
    assert (read_model.polls, read_model.page_reads) == (0, 2)
    assert metrics.consistency_waits.labels("immediate")._value.get() == 2


async def test_a_page_behind_the_token_waits_for_its_own_version() -> None:
    read_model = FakeReadModel(start=0, final=0)
    found, metrics = gate(read_model, max_wait=30)
    wanted = token(2)
    read_model.pages[wanted.aggregate_id] = {"version": 1}
    reading = asyncio.create_task(found.document(wanted, "booking", wanted.aggregate_id))
    await asyncio.sleep(0.01)
    assert metrics.consistency_waiting._value.get() == 1
    assert not reading.done()
    read_model.pages[wanted.aggregate_id] = {"version": 2}  # the projector writes the page
    freshness, page = await reading
    assert (freshness.consistency, page) == ("caught-up", {"version": 2})  # the checkpoint is still at 0
    assert metrics.consistency_waits.labels("waited")._value.get() == 1


async def test_pages_waited_for_together_are_read_together_each_tick() -> None:
    read_model = FakeReadModel(start=0, final=0)
    found, _ = gate(read_model, max_wait=30)
    wanted = [token(2) for _ in range(5)]
    for each in wanted:
        read_model.pages[each.aggregate_id] = {"version": 1}
    reads = [asyncio.create_task(found.document(each, "booking", each.aggregate_id)) for each in wanted]
    await asyncio.sleep(0.02)
    ticks, page_reads = read_model.polls, read_model.page_reads
    assert ticks > 2
    assert page_reads == 5 + ticks  # each request's first read, then one read of all five per tick
    for each in wanted:
        read_model.pages[each.aggregate_id] = {"version": 2}
    answers = await asyncio.gather(*reads)
    assert [freshness.consistency for freshness, _ in answers] == ["caught-up"] * 5


async def test_a_page_that_stays_behind_is_answered_stale_at_the_bound() -> None:
    read_model = FakeReadModel(start=0, final=1)
    found, metrics = gate(read_model, max_wait=0.05)
    wanted = token(2)
    read_model.pages[wanted.aggregate_id] = {"version": 1}
    freshness, page = await found.document(wanted, "hotel", wanted.aggregate_id)
    assert (freshness.consistency, freshness.position, page) == ("stale", 40, {"version": 1})
    assert read_model.page_reads > 2  # it read the page again rather than giving up at once
    assert metrics.consistency_waits.labels("timeout")._value.get() == 1


async def test_a_token_of_another_aggregate_waits_for_its_checkpoint() -> None:
    read_model = FakeReadModel(start=0, final=2)
    found, _ = gate(read_model, max_wait=30)
    wanted, page_id = token(2), uuid4()
    read_model.pages[wanted.aggregate_id] = {"version": 9}  # the token's own page is no proof for another
    read_model.pages[page_id] = {"version": 9}
    freshness, page = await found.document(wanted, "booking", page_id)
    assert (freshness.consistency, page) == ("caught-up", {"version": 9})
    assert read_model.polls == 3  # versions 0, 1, 2 of the checkpoint
    assert read_model.page_reads == 1  # the answer's read only
    assert (await found.document(None, "booking", page_id))[0].consistency == "eventual"


async def test_a_page_read_still_learns_from_the_checkpoint() -> None:
    read_model = FakeReadModel(start=3, final=3)  # version 3 at position 30
    found, metrics = gate(read_model, max_wait=30)
    wanted = token(9_999_999_999, position=30)  # no such version there: the page would wait in vain
    read_model.pages[wanted.aggregate_id] = {"version": 3}
    freshness, _ = await found.document(wanted, "booking", wanted.aggregate_id)
    assert freshness.consistency == "stale"
    assert metrics.consistency_waits.labels("unreachable")._value.get() == 1
    written = token(3, position=30)  # the page not written yet, the checkpoint already (never so live)
    freshness, page = await found.document(written, "booking", written.aggregate_id)
    assert (freshness.consistency, page) == ("caught-up", None)
