"""The one problem vocabulary of the whole system (RFC 9457 problem details): every refusal of every HTTP
service, and the `CommandRejected` reply on AMQP, names its kind with the same absolute `type` URI.

`type` is `https://innkeeper.dev/problems/<kind>`; docs/problems.md has a section (anchor) per kind
saying what it means, which statuses it comes with and what a client should do. A client tells
problems apart by `type` (or `status`), never by `title` or `detail`, and ignores members it does not
know (RFC 9457 §3.2): new extensions may be added without a new version.
"""

from __future__ import annotations

from typing import Any, Literal, Self, get_args

from pydantic import Field

from .contract import Contract, TolerantContract

PROBLEM_TYPE_BASE = "https://innkeeper.dev/problems/"
ProblemKind = Literal[
    "invalid-input",
    "malformed-body",
    "unauthenticated",
    "forbidden",
    "not-found",
    "method-not-allowed",
    "request-timeout",
    "business-rule",
    "conflict",
    "too-large",
    "idempotency-key-reused",
    "internal",
    "unavailable",
]
PROBLEM_KINDS: tuple[ProblemKind, ...] = get_args(ProblemKind)
PROBLEM_TITLES: dict[ProblemKind, str] = {
    "invalid-input": "Invalid input",
    "malformed-body": "Malformed body",
    "unauthenticated": "Unauthenticated",
    "forbidden": "Forbidden",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "request-timeout": "Request timeout",
    "business-rule": "Business rule violated",
    "conflict": "Conflict",
    "too-large": "Content too large",
    "idempotency-key-reused": "Idempotency key reused",
    "internal": "Internal error",
    "unavailable": "Service unavailable",
}
"""The `title` of each kind: the same for every occurrence (RFC 9457 §3.1.3); `detail` says what happened."""
AMQP_INSTANCE_PREFIX = "urn:innkeeper:command:"
"""`instance` of an AMQP reply: this prefix and the command message's `message_id`."""

_KIND_BY_STATUS: dict[int, ProblemKind] = {
    400: "malformed-body",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    408: "request-timeout",
    409: "conflict",
    413: "too-large",
    422: "invalid-input",
    431: "too-large",
    503: "unavailable",
}


def problem_type(kind: ProblemKind) -> str:
    """The `type` URI of a kind of problem."""
    return PROBLEM_TYPE_BASE + kind


def kind_for_status(status: int) -> ProblemKind:
    """The kind that fits a status no more specific error named (a framework's own refusal)."""
    return _KIND_BY_STATUS.get(status, "internal" if status >= 500 else "invalid-input")


def amqp_instance(message_id: str) -> str:
    """`instance` of the reply to the command message with this `message_id`."""
    return AMQP_INSTANCE_PREFIX + message_id


class FieldError(Contract):
    """What is wrong with one field of the input."""

    loc: list[str | int] = Field(
        description="Where: `body`, `query`, `path` or `header`, then the field's path.",
        examples=[["body", "check_out"]],
    )
    msg: str = Field(examples=["check_out must be after check_in"])
    type: str = Field(description="pydantic's error type, a short word.", examples=["date_order"])


class Problem(TolerantContract):
    """Why a request or a command message was refused: RFC 9457 problem details, with Innkeeper's
    extensions `errors` (field-level) and `correlation_id` (quote it when reporting a problem)."""

    # Unknown members are ignored, never refused (RFC 9457 §3.2): a problem may gain extensions.

    type: str = Field(
        description="What kind of problem, an absolute URI `https://innkeeper.dev/problems/<kind>` "
        "(docs/problems.md). Compare it whole; a type you do not know means what its `status` means.",
        json_schema_extra={"format": "uri"},
        examples=[problem_type("invalid-input"), problem_type("business-rule")],
    )
    title: str = Field(description="A short summary of the kind, in English.", examples=["Invalid input"])
    status: int = Field(
        description="The HTTP status that fits (an AMQP reply carries it too).",
        ge=100,
        le=599,
        examples=[422],
    )
    detail: str = Field(
        description="What went wrong with this request, for people.",
        examples=["body.check_out: check_out must be after check_in"],
    )
    instance: str | None = Field(
        default=None,
        description="This occurrence: the request's path over HTTP; `urn:innkeeper:command:<message_id>` "
        "in an AMQP reply.",
        json_schema_extra={"format": "uri-reference"},
        examples=["/bookings"],
    )
    correlation_id: str | None = Field(
        default=None,
        description="The id every log line about this request carries.",
        examples=["931043bc5b5324766d229463fb4c2eb4"],
    )
    errors: list[FieldError] = Field(
        default_factory=list, description="Field-level errors (with `invalid-input`); empty otherwise."
    )

    @classmethod
    def of(cls, kind: ProblemKind, status: int, detail: str, **members: Any) -> Self:
        """A problem of this kind: its `type` URI and its one title filled in."""
        return cls(
            type=problem_type(kind), title=PROBLEM_TITLES[kind], status=status, detail=detail, **members
        )

    @property
    def kind(self) -> str:
        """The last part of `type` (`invalid-input`), for metrics labels and log lines."""
        return self.type.removeprefix(PROBLEM_TYPE_BASE)
