"""Read-your-writes: wait (bounded) until the projector has applied the write a token names."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

from innkeeper_contracts import ConsistencyToken

from .errors import InvalidQueryError
from .metrics import Metrics

TOKEN_HEADER = "X-Consistency-Token"
MAX_TOKEN_LENGTH = 128
Consistency = Literal["caught-up", "stale", "eventual"]


@dataclass(frozen=True)
class Freshness:
    """How fresh an answer is: token outcome and the projector's position (headers of every answer)."""

    consistency: Consistency
    position: int
    waited_seconds: float = 0.0


class CheckpointReader(Protocol):
    """Reads how far the projector has applied one aggregate's events."""

    async def checkpoint_version(self, aggregate_id: UUID) -> int: ...


class PositionReader(Protocol):
    """Reads the projector's highest applied global position."""

    async def position(self) -> int: ...


def parse_token(header: str) -> ConsistencyToken:
    """The token of an `X-Consistency-Token` header; InvalidQueryError (422) when malformed."""
    try:
        if len(header) > MAX_TOKEN_LENGTH:
            raise ValueError("too long")
        return ConsistencyToken.decode(header.strip())
    except ValueError:
        msg = "malformed consistency token (expected <global position>.<aggregate id>.<version>)"
        raise InvalidQueryError.at(["header", TOKEN_HEADER.lower()], msg) from None


class ConsistencyGate:
    """Holds a request until the checkpoint of the token's aggregate reaches its version, or time is up."""

    def __init__(
        self,
        read_model: CheckpointReader,
        progress: PositionReader,
        metrics: Metrics,
        max_wait: float,
        first_delay: float = 0.005,
        max_delay: float = 0.1,
    ) -> None:
        self._read_model, self._progress, self._metrics = read_model, progress, metrics
        self._max_wait, self._first_delay, self._max_delay = max_wait, first_delay, max_delay

    async def freshness(self, token: ConsistencyToken | None) -> Freshness:
        if token is None:
            return Freshness("eventual", await self._position())
        started = time.monotonic()
        with self._metrics.consistency_waiting.track_inprogress():
            reached, polls = await self._wait(token, started + self._max_wait)
        waited = time.monotonic() - started
        self._record(reached, polls, waited)
        position = await self._position()
        if not reached:
            return Freshness("stale", position, waited)
        # The checkpoint is written after the documents, so the answer reflects at least the token.
        return Freshness("caught-up", max(position, token.global_position), waited)

    async def _wait(self, token: ConsistencyToken, deadline: float) -> tuple[bool, int]:
        delay, polls = self._first_delay, 0
        while True:
            polls += 1
            if await self._read_model.checkpoint_version(token.aggregate_id) >= token.aggregate_version:
                return True, polls
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False, polls
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, self._max_delay)

    def _record(self, reached: bool, polls: int, waited: float) -> None:
        outcome = "timeout" if not reached else "immediate" if polls == 1 else "waited"
        self._metrics.consistency_waits.labels(outcome).inc()
        if polls > 1:
            self._metrics.consistency_wait_seconds.observe(waited)

    async def _position(self) -> int:
        position = await self._progress.position()
        self._metrics.read_model_position.set(position)
        return position
