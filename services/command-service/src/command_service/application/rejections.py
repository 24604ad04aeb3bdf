"""Rejections made at the edges (HTTP, AMQP) before a command reaches the mediator, in the system's one
problem vocabulary (`innkeeper_contracts.problems`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from command_service.application.access import ForbiddenError, UnauthenticatedError
from command_service.domain.errors import (
    BusinessRuleError,
    CommandError,
    ConflictError,
    IdempotencyKeyReusedError,
    InvalidCommandError,
    NotFoundError,
)
from innkeeper_contracts import CommandRejected, FieldError, ProblemKind

PROBLEMS: dict[type[CommandError], tuple[ProblemKind, int]] = {
    CommandError: ("invalid-input", 400),
    InvalidCommandError: ("invalid-input", 422),
    UnauthenticatedError: ("unauthenticated", 401),
    ForbiddenError: ("forbidden", 403),
    NotFoundError: ("not-found", 404),
    BusinessRuleError: ("business-rule", 409),
    ConflictError: ("conflict", 409),
    IdempotencyKeyReusedError: ("idempotency-key-reused", 422),
}
"""What each kind of refusal is on the wire, HTTP and AMQP alike: its problem kind and status (an error
is what its nearest class in this table is)."""


def problem_of(error: CommandError) -> tuple[ProblemKind, int]:
    """The problem kind and status of a refusal."""
    return next(PROBLEMS[cls] for cls in type(error).__mro__ if cls in PROBLEMS)


def field_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """pydantic / FastAPI error dicts as contract FieldErrors."""
    return [
        FieldError(
            loc=[str(part) if not isinstance(part, int) else part for part in error.get("loc", ())],
            msg=str(error.get("msg", "")),
            type=str(error.get("type", "")),
        )
        for error in errors
    ]


def is_malformed(errors: Iterable[Mapping[str, Any]]) -> bool:
    """True when the body could not even be parsed as JSON."""
    return any(error.get("type") == "json_invalid" for error in errors)


def invalid_command(
    errors: list[FieldError], *, command: str | None, correlation_id: str | None, status: int = 422
) -> CommandRejected:
    return CommandRejected.of(
        "invalid-input",
        status,
        "; ".join(f"{'.'.join(map(str, error.loc)) or 'body'}: {error.msg}" for error in errors)
        or "invalid command",
        command=command,
        correlation_id=correlation_id,
        errors=errors,
    )


def malformed_message(detail: str, *, command: str | None, correlation_id: str | None) -> CommandRejected:
    return CommandRejected.of(
        "malformed-body",
        400,
        detail,
        command=command,
        correlation_id=correlation_id,
    )


def refused(error: CommandError, *, command: str | None, correlation_id: str | None) -> CommandRejected:
    """A refusal as the answer, at an edge (before there is a request) or by `CommandRequest.rejected`."""
    kind, status = problem_of(error)
    return CommandRejected.of(
        kind,
        status,
        error.detail,
        command=command,
        correlation_id=correlation_id,
        errors=error.errors,
    )


def unavailable(*, command: str | None, correlation_id: str | None) -> CommandRejected:
    return CommandRejected.of(
        "unavailable",
        503,
        "PostgreSQL is unavailable or did not answer in time; nothing was written. "
        "Retry with the same Idempotency-Key.",
        command=command,
        correlation_id=correlation_id,
    )


def too_large(size: int, limit: int, *, command: str | None, correlation_id: str | None) -> CommandRejected:
    return CommandRejected.of(
        "too-large",
        413,
        f"the body has {size} bytes; a command takes at most {limit}",
        command=command,
        correlation_id=correlation_id,
    )


def internal_error(*, command: str | None, correlation_id: str | None) -> CommandRejected:
    """An unexpected error: the answer names no internals, the log has them under the correlation id."""
    return CommandRejected.of(
        "internal",
        500,
        "the command failed on an unexpected error; the operator finds it by the correlation id",
        command=command,
        correlation_id=correlation_id,
    )
