"""Answer examples of the command endpoints, for the OpenAPI document (the request examples are the
contracts', `innkeeper_contracts.command_docs`); a unit test reads each as its contract."""

from __future__ import annotations

from typing import Any

from innkeeper_contracts import COMMANDS, problem_type
from innkeeper_contracts.audiences import BookingPartyCommand, GuestCommand
from innkeeper_contracts.http_binding import BOOKING_ID, HOTEL_ID

CORRELATION_ID = "931043bc5b5324766d229463fb4c2eb4"


def accepted(command: str, *, booking: bool) -> dict[str, Any]:
    """The 202 answer of `command`, naming what it made or changed (a command about a guest names
    neither: its aggregate is the last booking of theirs it changed)."""
    about_a_guest = issubclass(COMMANDS[command], GuestCommand)
    aggregate = BOOKING_ID if booking or about_a_guest else HOTEL_ID
    ids = {"booking_id": BOOKING_ID} if booking else {}
    if not issubclass(COMMANDS[command], BookingPartyCommand | GuestCommand):  # those name no hotel
        ids["hotel_id"] = HOTEL_ID
    return {
        "status": "accepted",
        "command": command,
        "aggregate_id": aggregate,
        **ids,
        "consistency_token": f"42.{aggregate}.1",
        "correlation_id": CORRELATION_ID,
    }


def rejected(command: str, path: str) -> dict[str, Any]:
    """A 409 answer: the rule a command broke."""
    return {
        "type": problem_type("business-rule"),
        "title": "Business rule violated",
        "status": 409,
        "detail": "no DBL room is free on 2030-07-02",
        "instance": path,
        "correlation_id": CORRELATION_ID,
        "errors": [],
        "command": command,
    }
