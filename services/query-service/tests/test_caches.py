"""The TTL cache: one load per period, old value kept while a reload runs, errors still felt."""

from __future__ import annotations

import asyncio

import pytest

from query_service.caches import TtlCache


class Source:
    """A loader on a fake clock: returns 1, 2, 3, ... or raises while `failing`."""

    def __init__(self) -> None:
        self.now, self.loads, self.failing = 0.0, 0, False

    async def load(self) -> int:
        if self.failing:
            raise ConnectionError("store down")
        self.loads += 1
        return self.loads

    def cache(self, ttl: float = 1.0) -> TtlCache[int]:
        return TtlCache(ttl, self.load, clock=lambda: self.now)


async def settle() -> None:
    for _ in range(3):  # let a background reload run to its end
        await asyncio.sleep(0)


async def test_one_load_per_period() -> None:
    source = Source()
    cache = source.cache()
    assert [await cache.get(), await cache.get()] == [1, 1]
    assert source.loads == 1


async def test_after_the_period_readers_keep_the_old_value_while_one_reload_runs() -> None:
    source = Source()
    cache = source.cache()
    await cache.get()
    source.now = 1.5
    assert [await cache.get(), await cache.get()] == [1, 1]  # at once, not after the load
    await settle()
    assert source.loads == 2
    assert await cache.get() == 2


async def test_a_value_older_than_twice_the_period_is_loaded_before_answering() -> None:
    source = Source()
    cache = source.cache()
    await cache.get()
    source.now = 2.0
    assert await cache.get() == 2


async def test_no_period_means_a_load_per_read() -> None:
    source = Source()
    cache = source.cache(ttl=0)
    assert [await cache.get(), await cache.get()] == [1, 2]


async def test_a_failing_reload_keeps_the_old_value_then_raises_once_it_is_too_old() -> None:
    source = Source()
    cache = source.cache()
    await cache.get()
    source.now, source.failing = 1.5, True
    assert await cache.get() == 1
    await settle()  # the background reload failed (logged), the old value stays
    assert await cache.get() == 1
    source.now = 2.5
    with pytest.raises(ConnectionError):
        await cache.get()
    source.failing = False
    assert await cache.get() == 2
