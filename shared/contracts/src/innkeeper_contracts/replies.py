"""Answers to a command: accepted (HTTP 202 / AMQP reply) or rejected (problem details)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from .values import Contract

ProblemType = Literal[
    "invalid-command",
    "not-found",
    "business-rule",
    "conflict",
    "idempotency-key-reused",
    "unavailable",
    "malformed-message",
    "unauthenticated",
    "forbidden",
    "too-large",
    "internal",
]


class CommandAccepted(Contract):
    """The command was accepted: its events are committed and will be published."""

    status: Literal["accepted"] = "accepted"
    command: str = Field(examples=["BookStay"])
    aggregate_id: UUID
    consistency_token: str = Field(description="Pass as `X-Consistency-Token` to read your write.")
    correlation_id: str


class FieldError(Contract):
    """What is wrong with one field of the input."""

    loc: list[str | int]
    msg: str
    type: str


class CommandRejected(Contract):
    """Why a command was refused, in the shape of RFC 9457 problem details."""

    status: int = Field(description="The HTTP status that fits, also used in AMQP replies.")
    type: ProblemType
    title: str
    detail: str
    command: str | None = None
    correlation_id: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
