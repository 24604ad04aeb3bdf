"""What can go wrong, as one small hierarchy: every error an Innkeeper call raises is an `InnkeeperError`,
carrying the problem details (RFC 9457) the service answered with, when it answered.

The class says what kind of failure it was (`NotFoundError`, `ConflictError`, `UnavailableError`, ...);
every refusal of a command, over HTTP or AMQP, is also a `CommandRejectedError`, so
`except CommandRejectedError` catches them all and `except NotFoundError` catches a 404 of a command and
of a query alike."""

from __future__ import annotations

from pydantic import ValidationError

from innkeeper_contracts import CommandRejected, Problem


def read_problem(status: int, body: object, *, command: str | None = None) -> Problem:
    """The problem an error answer carries (a command's as `CommandRejected`); a body that is no problem
    document (a proxy's HTML page, say) still gives one, with its status."""
    try:
        problem = Problem.model_validate(body)
    except ValidationError:
        text = body if isinstance(body, str) else repr(body)
        problem = Problem(status=status, type="about:blank", title=f"HTTP {status}", detail=text[:500])
    if command is None:
        return problem
    if isinstance(body, dict) and isinstance(body.get("command"), str):
        command = body["command"]
    return CommandRejected(**problem.model_dump(), command=command)


class InnkeeperError(Exception):
    """Base of every error this package raises; `problem` is None when no answer came."""

    def __init__(self, message: str, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.problem = problem

    @property
    def status(self) -> int | None:
        return self.problem.status if self.problem else None


class NoAnswerError(InnkeeperError):
    """No answer in time, or the service could not be reached (after the retries)."""


class InvalidRequestError(InnkeeperError):
    """400, 413, 422, 431: the input is wrong; `problem.errors` names the fields."""


class AuthenticationError(InnkeeperError):
    """401: no token, or one the service does not accept."""


class PermissionDeniedError(InnkeeperError):
    """403: the caller may not do this."""


class NotFoundError(InnkeeperError):
    """404: no such hotel, room type or booking (or one the caller may not see)."""


class ConflictError(InnkeeperError):
    """409: a business rule refused it (no room free, already cancelled, below what is booked, ...)."""


class UnavailableError(InnkeeperError):
    """503: a dependency of the service is down; still so after the retries."""


class ServerError(InnkeeperError):
    """500 or another unexpected status."""


class CommandRejectedError(InnkeeperError):
    """A command was refused: raised as a subclass that is also the error of its kind (above)."""

    problem: CommandRejected


_BY_STATUS: dict[int, type[InnkeeperError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: InvalidRequestError,
    422: InvalidRequestError,
    431: InvalidRequestError,
    503: UnavailableError,
}
_KINDS = (
    InvalidRequestError,
    AuthenticationError,
    PermissionDeniedError,
    NotFoundError,
    ConflictError,
    UnavailableError,
    ServerError,
)
# One class per kind that is also a CommandRejectedError: `CommandNotFoundError` is-a NotFoundError.
_COMMAND_KINDS: dict[type[InnkeeperError], type[InnkeeperError]] = {
    kind: type(f"Command{kind.__name__}", (CommandRejectedError, kind), {"__doc__": kind.__doc__})
    for kind in _KINDS
}


def error_for(problem: Problem) -> InnkeeperError:
    """The error for an answer with this problem; a command's (a `CommandRejected`) is also a
    CommandRejectedError."""
    kind = _BY_STATUS.get(problem.status, InvalidRequestError if problem.status < 500 else ServerError)
    message = f"{problem.status} {problem.title}: {problem.detail}".rstrip(": ")
    if isinstance(problem, CommandRejected):
        return _COMMAND_KINDS[kind](f"{problem.command or 'command'} refused: {message}", problem)
    return kind(message, problem)
