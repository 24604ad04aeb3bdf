"""Answers to a command: accepted (HTTP 202 / AMQP reply) or rejected (problem details)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from .contract import TolerantContract
from .problems import FieldError as FieldError
from .problems import Problem

_BOOKING_ID = "6f1c2d7e-3b4a-4c5d-9e8f-0a1b2c3d4e5f"
_HOTEL_ID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"


class CommandAccepted(TolerantContract):
    """The command was accepted: its events are committed and will be published."""

    status: Literal["accepted"] = "accepted"
    command: str = Field(examples=["BookStay"])
    aggregate_id: UUID = Field(
        description="The id of the aggregate the command changed (kept for compatibility: prefer "
        "`booking_id` / `hotel_id`).",
        examples=[_BOOKING_ID],
    )
    booking_id: UUID | None = Field(
        default=None,
        description="The booking made or changed (`BookStay`, and the commands about one booking such as "
        "`CancelBooking`): read it at "
        "`GET /bookings/{booking_id}` of the query service.",
        examples=[_BOOKING_ID],
    )
    hotel_id: UUID | None = Field(
        default=None,
        description="The hotel registered or changed (hotel commands), or booked (`BookStay`): read it at "
        "`GET /hotels/{hotel_id}` of the query service.",
        examples=[_HOTEL_ID],
    )
    consistency_token: str = Field(
        description="Pass as `X-Consistency-Token` to read your write.",
        examples=[f"42.{_BOOKING_ID}.1"],
    )
    correlation_id: str = Field(examples=["931043bc5b5324766d229463fb4c2eb4"])


class CommandRejected(Problem):
    """Why a command was refused: the system's problem details (`Problem`), naming the command."""

    command: str | None = Field(
        default=None, description="The command refused, when it could be told.", examples=["BookStay"]
    )
