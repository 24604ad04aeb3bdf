"""Read-your-writes: wait (bounded) until the projector has applied the write a token names."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal, Protocol

from innkeeper_contracts import ConsistencyToken

from .errors import InvalidQueryError
from .metrics import Metrics
from .settings import Settings
from .watcher import CheckpointsReader, CheckpointWatcher, Outcome

TOKEN_HEADER = "X-Consistency-Token"
MAX_TOKEN_LENGTH = 128
Consistency = Literal["caught-up", "stale", "eventual"]


@dataclass(frozen=True)
class Freshness:
    """How fresh an answer is: token outcome and the projector's position (headers of every answer)."""

    consistency: Consistency
    position: int
    waited_seconds: float = 0.0


@dataclass(frozen=True)
class WaitBounds:
    """What a token may cost: how long one read waits, how many reads wait at once, how far ahead of
    the projector a token may be and still be waited for."""

    max_wait: float = 2.0
    max_waiters: int = 1000
    max_positions_ahead: int = 100_000


def wait_bounds(settings: Settings) -> WaitBounds:
    return WaitBounds(
        settings.consistency_wait_seconds,
        settings.consistency_max_waiters,
        settings.consistency_max_positions_ahead,
    )


class PositionReader(Protocol):
    """Reads the projector's highest applied global position."""

    async def projector_position(self) -> int:
        """The highest global position any projector shard has applied."""


def parse_token(header: str) -> ConsistencyToken:
    """The token of an `X-Consistency-Token` header; InvalidQueryError (422) when malformed."""
    try:
        if len(header) > MAX_TOKEN_LENGTH:
            raise ValueError("too long")
        return ConsistencyToken.decode(header.strip())
    except ValueError:
        msg = "malformed consistency token (expected <global position>.<aggregate id>.<version>)"
        raise InvalidQueryError.at(["header", TOKEN_HEADER], msg) from None


class ConsistencyGate:
    """Holds a request until the checkpoint of the token's aggregate reaches its version, or time is up.

    A token costs a waiting request and a share of the watcher's query; both are bounded, so tokens
    that never come true (forged, or from another system) cannot pile up. Answered stale at once: a
    token whose position is more than `max_positions_ahead` beyond what the projector has applied (it
    cannot catch up within the wait), and every token while `max_waiters` reads already wait.
    """

    def __init__(
        self,
        read_model: CheckpointsReader,
        progress: PositionReader,
        metrics: Metrics,
        bounds: WaitBounds,
        interval: float = 0.003,
    ) -> None:
        # One watcher for all waiting requests: store load per tick, not per request and back-off step.
        self._watcher = CheckpointWatcher(read_model, interval)
        self._progress, self._metrics, self._bounds = progress, metrics, bounds
        self._waiting = 0
        # The answer to every read without a token, renewed when the position moves.
        self._eventual = Freshness("eventual", -1)

    async def freshness(self, token: ConsistencyToken | None) -> Freshness:
        if token is None:
            await self._position()
            return self._eventual
        position = await self._position()
        if token.global_position > position + self._bounds.max_positions_ahead:
            return self._stale_at_once("ahead", position)
        if self._waiting >= self._bounds.max_waiters:
            return self._stale_at_once("capped", position)
        started = time.monotonic()
        self._waiting += 1
        try:
            with self._metrics.consistency_waiting.track_inprogress():
                deadline = started + self._bounds.max_wait
                outcome, polls = await self._watcher.wait(
                    token.aggregate_id, token.aggregate_version, token.global_position, deadline
                )
        finally:
            self._waiting -= 1
        waited = time.monotonic() - started
        self._record(outcome, polls, waited)
        position = await self._position()
        if outcome != "reached":
            return Freshness("stale", position, waited)
        # The checkpoint is written after the documents, so the answer reflects at least the token.
        return Freshness("caught-up", max(position, token.global_position), waited)

    async def close(self) -> None:
        """Stop the watcher (at shutdown, after the requests in flight)."""
        await self._watcher.close()

    def _stale_at_once(self, outcome: str, position: int) -> Freshness:
        self._metrics.consistency_waits.labels(outcome).inc()
        return Freshness("stale", position)

    def _record(self, outcome: Outcome, polls: int, waited: float) -> None:
        label = outcome if outcome != "reached" else "immediate" if polls == 1 else "waited"
        self._metrics.consistency_waits.labels(label).inc()
        if polls > 1:
            self._metrics.consistency_wait_seconds.observe(waited)

    async def _position(self) -> int:
        position = await self._progress.projector_position()
        if position != self._eventual.position:  # the gauge takes a lock: set only when the value moves
            self._eventual = Freshness("eventual", position)
            self._metrics.read_model_position.set(position)
        return position
