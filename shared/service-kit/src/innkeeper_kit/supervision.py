"""Keeping a service's shard workers (the projector's consumers, the notifier's intakes) running: one
that stops on an unexpected error is started again, so a shard is never left without its worker; and
stopping a service's tasks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, Protocol

from structlog.typing import FilteringBoundLogger

RESTART_PAUSE_SECONDS = 1.0


class ShardWorker(Protocol):
    """Takes one shard queue's messages until it is stopped."""

    @property
    def shard(self) -> str:
        """The shard queue's name (in the logs)."""

    @property
    def stopping(self) -> bool:
        """True once it was told to stop: it is not started again."""

    async def run(self, connection: Any) -> None:
        """Consume on `connection` until stopped (returns) or an error (raises)."""


async def keep_running(worker: ShardWorker, connection: Any, log: FilteringBoundLogger, what: str) -> None:
    """Run `worker` on `connection` until it stops, starting it again after an unexpected error; the
    restart is logged as `shard <what> stopped; restarting`."""
    while not worker.stopping:
        try:
            await worker.run(connection)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(f"shard {what} stopped; restarting", shard=worker.shard)
            await asyncio.sleep(RESTART_PAUSE_SECONDS)


async def cancel_all(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait until each has ended (how does not matter: they were stopped)."""
    stopped = list(tasks)
    for task in stopped:
        task.cancel()
    await asyncio.gather(*stopped, return_exceptions=True)
