"""Bounded shutdown steps: each step of `Runtime.stop` gets what is left of SHUTDOWN_TIMEOUT_SECONDS,
and a step that overruns is abandoned, so the process exits whatever its dependencies do (a store that
is stopped, not down, never answers: issue 20 saw the projector hang until it was killed)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import structlog

log = structlog.get_logger("projector")


class Deadline:
    """The instant by which the stop must be over."""

    def __init__(self, seconds: float) -> None:
        self.at = asyncio.get_running_loop().time() + seconds
        self.abandoned: list[str] = []

    def left(self) -> float:
        return max(self.at - asyncio.get_running_loop().time(), 0.0)

    async def step(self, name: str, work: Awaitable[object]) -> bool:
        """Run `work` until the deadline; if it is not done by then, cancel it, do not wait for it to
        end (a call on a hung socket may not end) and log the step as abandoned. True: it finished."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait([task], timeout=self.left())
        if task in done:
            if not task.cancelled() and (error := task.exception()) is not None:
                log.warning("shutdown.step_failed", step=name, error=repr(error))
            return True
        task.cancel()
        self.abandoned.append(name)
        log.warning(
            "shutdown.step_abandoned", step=name, reason="deadline (SHUTDOWN_TIMEOUT_SECONDS) reached"
        )
        return False
