"""Read-your-writes: wait (bounded) until the projector has applied the write a token names."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial
from uuid import UUID

from innkeeper_contracts import ConsistencyToken

from .document_watch import DocumentsReader, DocumentVersions
from .errors import InvalidQueryError
from .freshness import Freshness, PositionReader, WaitBounds, wait_bounds
from .metrics import Metrics
from .read_model import OwnDocument, StoredDocument
from .wait_span import record_wait
from .watcher import CheckpointWatcher, Outcome

TOKEN_HEADER = "X-Consistency-Token"
MAX_TOKEN_LENGTH = 128
__all__ = [  # Freshness, WaitBounds and wait_bounds live in `freshness`; the app imports them from here
    "MAX_TOKEN_LENGTH",
    "TOKEN_HEADER",
    "ConsistencyGate",
    "DocumentsReader",
    "Freshness",
    "OwnDocument",
    "WaitBounds",
    "parse_token",
    "wait_bounds",
]


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
    """Holds a request until the token's aggregate is applied as far as its version, or time is up.

    A read of the very document the token's aggregate is projected to (`document`) also watches that
    document's own version: it is the aggregate version of the last event applied to it, and every event
    of the aggregate sets it, in order, so at the token's version the answer shows the token's write,
    without waiting for the writes that follow it in the batch (cards, nights, checkpoint). Every read
    watches the aggregate's checkpoint, written after all documents of the batch (and the only one that
    knows a version passed by position, "unreachable"); the first of the two to settle answers, in
    one watcher tick that reads both.

    A token costs a waiting request and a share of a watcher's query; both are bounded, so tokens
    that never come true (forged, or from another system) cannot pile up. Answered stale at once: a
    token whose position is more than `max_positions_ahead` beyond what the projector has applied (it
    cannot catch up within the wait), and every token while `max_waiters` reads already wait.
    """

    def __init__(
        self,
        read_model: DocumentsReader,
        progress: PositionReader,
        metrics: Metrics,
        bounds: WaitBounds,
        interval: float = 0.003,
    ) -> None:
        # One watcher per kind for all waiting requests: store load per tick, not per request and step.
        self._watcher = CheckpointWatcher(read_model, interval)
        self._reads: dict[OwnDocument, Callable[[UUID], Awaitable[StoredDocument | None]]] = {
            "booking": read_model.booking,
            "hotel": read_model.hotel_detail,
        }
        self._documents = {
            kind: CheckpointWatcher(
                DocumentVersions(read_model, partial(read_model.page_versions, kind)), interval
            )
            for kind in self._reads
        }
        self._progress, self._metrics, self._bounds = progress, metrics, bounds
        self._waiting = 0
        # The answer to every read without a token, renewed when the position moves.
        self._eventual = Freshness("eventual", -1)

    async def freshness(self, token: ConsistencyToken | None) -> Freshness:
        """How fresh a read is after waiting (bounded) for the token's checkpoint."""
        if token is None:
            await self._position()
            return self._eventual
        return await self._wait(token, self._watcher)

    async def document(
        self, token: ConsistencyToken | None, kind: OwnDocument, aggregate_id: UUID
    ) -> tuple[Freshness, StoredDocument | None]:
        """The `kind` document of `aggregate_id`, read after the token's wait, and how fresh it is."""
        read = self._reads[kind]
        if token is None or token.aggregate_id != aggregate_id:
            return await self.freshness(token), await read(aggregate_id)
        first = await read(aggregate_id)  # at once: the answer itself, when it is far enough already
        if first is not None and first["version"] >= token.aggregate_version:
            self._record(token, "reached", 1, 0.0)
            return await self._caught_up(token, 0.0), first
        freshness = await self._wait(token, self._documents[kind])
        return freshness, await read(aggregate_id)

    async def _wait(self, token: ConsistencyToken, watcher: CheckpointWatcher) -> Freshness:
        position = await self._position()
        if token.global_position > position + self._bounds.max_positions_ahead:
            return self._stale_at_once(token, "ahead", position)
        if self._waiting >= self._bounds.max_waiters:
            return self._stale_at_once(token, "capped", position)
        started = time.monotonic()
        self._waiting += 1
        try:
            with self._metrics.consistency_waiting.track_inprogress():
                deadline = started + self._bounds.max_wait
                outcome, polls = await watcher.wait(
                    token.aggregate_id, token.aggregate_version, token.global_position, deadline
                )
        finally:
            self._waiting -= 1
        waited = time.monotonic() - started
        self._record(token, outcome, polls, waited)
        if outcome != "reached":
            return Freshness("stale", await self._position(), waited)
        return await self._caught_up(token, waited)

    async def _caught_up(self, token: ConsistencyToken, waited: float) -> Freshness:
        # The answer reflects at least the token's write: its checkpoint is written after the documents,
        # and a document at the token's version has applied it.
        position = await self._position()
        return Freshness("caught-up", max(position, token.global_position), waited)

    async def close(self) -> None:
        """Stop the watchers (at shutdown, after the requests in flight)."""
        for watcher in (self._watcher, *self._documents.values()):
            await watcher.close()

    def _stale_at_once(self, token: ConsistencyToken, outcome: str, position: int) -> Freshness:
        self._metrics.consistency_waits.labels(outcome).inc()
        record_wait(token, outcome, 0.0)
        return Freshness("stale", position)

    def _record(self, token: ConsistencyToken, outcome: Outcome, polls: int, waited: float) -> None:
        label = outcome if outcome != "reached" else "immediate" if polls == 1 else "waited"
        self._metrics.consistency_waits.labels(label).inc()
        record_wait(token, label, waited)
        if polls > 1:
            self._metrics.consistency_wait_seconds.observe(waited)

    async def _position(self) -> int:
        position = await self._progress.projector_position()
        if position != self._eventual.position:  # the gauge takes a lock: set only when the value moves
            self._eventual = Freshness("eventual", position)
            self._metrics.read_model_position.set(position)
        return position
