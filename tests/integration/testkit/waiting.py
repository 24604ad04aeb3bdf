"""Bounded waiting: poll a condition until it holds or a deadline passes (never a bare sleep)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], seconds: float = 20, what: str = "", every: float = 0.05
) -> None:
    """Poll `condition` (sync or async) until it is true; AssertionError naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if await result if isinstance(result, Awaitable) else result:
            return
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what or condition}")
        await asyncio.sleep(every)
