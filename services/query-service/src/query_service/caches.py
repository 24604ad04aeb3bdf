"""A tiny time-bounded cache for values every request needs but that may be a second old."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TtlCache(Generic[T]):
    """Holds one loaded value for `ttl` seconds; concurrent misses share one load (no stampede)."""

    def __init__(
        self, ttl: float, load: Callable[[], Awaitable[T]], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl, self._load, self._clock = ttl, load, clock
        self._lock = asyncio.Lock()
        self._value: T | None = None
        self._expires = float("-inf")

    async def get(self) -> T:
        if self._clock() < self._expires:
            return self._value  # type: ignore[return-value]  # set together with _expires
        async with self._lock:
            if self._clock() >= self._expires:
                self._value = await self._load()
                self._expires = self._clock() + self._ttl
            return self._value  # type: ignore[return-value]

    def invalidate(self) -> None:
        self._expires = float("-inf")
