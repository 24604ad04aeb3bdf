"""The pipeline behaviour that makes a retry safe: the first final answer under an `Idempotency-Key` (or
an AMQP `message_id`) is the answer to every repeat."""

from __future__ import annotations

import structlog

from command_service.application.mediator import Next
from command_service.application.ports import IdempotencyKeyTakenError, IdempotencyStore, StoredAnswer
from command_service.application.requests import CommandRequest, Outcome
from command_service.domain.errors import IdempotencyKeyReusedError
from innkeeper_contracts import CommandRejected

log = structlog.get_logger("command_service.pipeline")


class IdempotencyBehaviour:
    """A retry under the same key gets the first final answer; the key with another payload is refused.
    Not final: a 409 `conflict` (a collision, or the id taken: safe to run again) and a 503 (raised), so
    the retry they ask for is carried out, not answered with them."""

    def __init__(self, store: IdempotencyStore) -> None:
        self._store = store

    async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
        key = request.idempotency_key
        if not key:
            return await call_next()
        scope = request.idempotency_scope
        if (stored := await self._store.find(scope, key)) is not None:
            return self._replay(request, stored)
        try:
            outcome = await call_next()
        except IdempotencyKeyTakenError:
            stored = await self._store.find(scope, key)
            if stored is None:  # the winner's row is committed before our insert failed
                raise
            return self._replay(request, stored)
        if isinstance(outcome, CommandRejected) and outcome.status < 500 and outcome.kind != "conflict":
            first = await self._store.remember_rejection(key, request, outcome)
            if first is not None:
                return self._replay(request, first)
        return outcome

    @staticmethod
    def _replay(request: CommandRequest, stored: StoredAnswer) -> Outcome:
        if stored.command != request.name or stored.request_hash != request.request_hash():
            key = request.idempotency_key
            return request.rejected(
                IdempotencyKeyReusedError(f"idempotency key {key!r} was used for another request")
            )
        log.info("command.replayed", idempotency_key=request.idempotency_key)
        return request.replayed(stored.outcome)
