"""Read-your-writes: wait (bounded) until the projector has applied the write a token names."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal, Protocol

from innkeeper_contracts import ConsistencyToken

from .errors import InvalidQueryError
from .metrics import Metrics
from .watcher import CheckpointsReader, CheckpointWatcher

TOKEN_HEADER = "X-Consistency-Token"
MAX_TOKEN_LENGTH = 128
Consistency = Literal["caught-up", "stale", "eventual"]


@dataclass(frozen=True)
class Freshness:
    """How fresh an answer is: token outcome and the projector's position (headers of every answer)."""

    consistency: Consistency
    position: int
    waited_seconds: float = 0.0


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
        read_model: CheckpointsReader,
        progress: PositionReader,
        metrics: Metrics,
        max_wait: float,
        interval: float = 0.003,
    ) -> None:
        # One watcher for all waiting requests: store load per tick, not per request and back-off step.
        self._watcher = CheckpointWatcher(read_model, interval)
        self._progress, self._metrics, self._max_wait = progress, metrics, max_wait
        # The answer to every read without a token, renewed when the position moves.
        self._eventual = Freshness("eventual", -1)

    async def freshness(self, token: ConsistencyToken | None) -> Freshness:
        if token is None:
            await self._position()
            return self._eventual
        started = time.monotonic()
        with self._metrics.consistency_waiting.track_inprogress():
            reached, polls = await self._watcher.wait(
                token.aggregate_id, token.aggregate_version, started + self._max_wait
            )
        waited = time.monotonic() - started
        self._record(reached, polls, waited)
        position = await self._position()
        if not reached:
            return Freshness("stale", position, waited)
        # The checkpoint is written after the documents, so the answer reflects at least the token.
        return Freshness("caught-up", max(position, token.global_position), waited)

    async def close(self) -> None:
        """Stop the watcher (at shutdown, after the requests in flight)."""
        await self._watcher.close()

    def _record(self, reached: bool, polls: int, waited: float) -> None:
        outcome = "timeout" if not reached else "immediate" if polls == 1 else "waited"
        self._metrics.consistency_waits.labels(outcome).inc()
        if polls > 1:
            self._metrics.consistency_wait_seconds.observe(waited)

    async def _position(self) -> int:
        position = await self._progress.position()
        if position != self._eventual.position:  # the gauge takes a lock: set only when the value moves
            self._eventual = Freshness("eventual", position)
            self._metrics.read_model_position.set(position)
        return position
