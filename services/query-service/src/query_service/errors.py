"""What can go wrong answering a query, each mapped onto one HTTP problem of the system's vocabulary (`kind`:
the last part of its `type` URI, `innkeeper_contracts.problems`)."""

from __future__ import annotations

from typing import ClassVar

from innkeeper_contracts import FieldError, ProblemKind


class QueryError(Exception):
    """Base of the query service's errors."""

    status = 500
    kind: ClassVar[ProblemKind] = "internal"


class InvalidQueryError(QueryError):
    """A parameter (or header) of the request is not acceptable."""

    status = 422
    kind = "invalid-input"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []

    @classmethod
    def at(cls, loc: list[str | int], msg: str, kind: str = "value_error") -> InvalidQueryError:
        """One field is wrong: `loc` in FastAPI's style, e.g. ["query", "cursor"]."""
        return cls(msg, [FieldError(loc=loc, msg=msg, type=kind)])


class InvalidCursorError(InvalidQueryError):
    """The cursor was not made by this service for this query."""


class NotFoundError(QueryError):
    """No read document has that id."""

    status = 404
    kind = "not-found"


class ForbiddenError(QueryError):
    """The caller is known but may not read this."""

    status = 403
    kind = "forbidden"


class ReadModelUnavailableError(QueryError):
    """The read store cannot be reached (or answered with an error)."""

    status = 503
    kind = "unavailable"
