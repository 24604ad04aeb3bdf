"""The pipeline behaviours: logging, authorization (`access`), idempotency (`idempotency`), validation,
unit of work (outermost first)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from command_service.application.idempotency import IdempotencyBehaviour
from command_service.application.mediator import Next
from command_service.application.ports import (
    RetryableConflictError,
    ServiceUnavailableError,
    UnitOfWorkFactory,
)
from command_service.application.requests import CommandRequest, Outcome
from command_service.domain.errors import CommandError, VersionConflictError
from command_service.metrics import Metrics
from innkeeper_contracts import CommandRejected, Contract
from innkeeper_kit.log_throttle import LogThrottle

__all__ = ["Check", "IdempotencyBehaviour", "LoggingBehaviour", "UnitOfWorkBehaviour", "ValidationBehaviour"]

log = structlog.get_logger("command_service.pipeline")


class LoggingBehaviour:
    """Binds the correlation id, causation id (the command id) and command name to every log line;
    logs and counts outcomes (`innkeeper_commands_total{command,outcome}`: `accepted` or the problem kind)."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        self._metrics = metrics or Metrics()
        # While PostgreSQL is away every command answers 503: one line per 10 s says so (the counter has
        # each), not one per request.
        self._unavailable_lines = LogThrottle()

    async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
        started = time.perf_counter()
        metrics = self._metrics.of_command(request.name)
        # bind + reset by token: `bound_contextvars` copies the whole context on every command.
        principal = request.principal
        tokens = structlog.contextvars.bind_contextvars(
            correlation_id=request.correlation_id,
            causation_id=request.command_id,
            command=request.name,
            actor=f"{principal.role}:{principal.subject}" if principal else "anonymous",
        )
        # Counted once, whatever the end: an unexpected error is answered 500 `internal` by the edge.
        counted = metrics.rejected("internal")
        try:
            result = await call_next()
        except ServiceUnavailableError:
            counted = metrics.rejected("unavailable")
            if (held_back := self._unavailable_lines.admit()) is not None:
                log.warning("command.unavailable", similar_lines_held_back=held_back)
            raise
        else:
            if isinstance(result, CommandRejected):
                counted = metrics.rejected(result.kind)
                log.info("command.rejected", status=result.status, reason=result.kind, detail=result.detail)
            else:
                counted = metrics.accepted
                log.info(
                    "command.accepted",
                    aggregate_id=str(result.aggregate_id),
                    consistency_token=result.consistency_token,
                )
            return result
        finally:
            counted.inc()
            metrics.duration.observe(time.perf_counter() - started)
            structlog.contextvars.reset_contextvars(**tokens)


Check = Callable[[Any], None]
"""A command's rules that need the clock but no transaction, run before one opens; raises a CommandError."""


class ValidationBehaviour:
    """Runs a command's check before its transaction (the rules that depend on the clock, such as a
    check-in not in the past): each lives beside its handler (`Handlers.checks_by_command`)."""

    def __init__(self, checks: Mapping[type[Contract], Check]) -> None:
        self._checks = checks

    async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
        check = self._checks.get(type(request.command))
        try:
            if check is not None:
                check(request.command)
        except CommandError as error:
            return request.rejected(error)
        return await call_next()


class UnitOfWorkBehaviour:
    """Runs the handler in one transaction; a refused command rolls back and becomes a rejection."""

    def __init__(self, uow_factory: UnitOfWorkFactory, attempts: int = 3) -> None:
        self._uow_factory, self._attempts = uow_factory, attempts

    async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
        for attempt in range(1, self._attempts + 1):
            try:
                async with self._uow_factory(request) as uow:
                    request.uow = uow
                    return await call_next()
            except CommandError as error:
                return request.rejected(error)
            except RetryableConflictError:
                log.warning("command.retry", attempt=attempt)
            finally:
                request.uow = None
        return request.rejected(VersionConflictError("the command collided with others; retry it"))
