"""The command service's OpenAPI document states what its HTTP edge enforces (built, never started)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from pydantic import BaseModel

from command_service.bootstrap import create_app
from command_service.settings import Settings
from innkeeper_kit.identifiers import ID_PATTERN
from innkeeper_kit.problems import PROBLEM_JSON

COMMAND_ROUTES = [
    ("/hotels", "post"),
    ("/bookings", "post"),
    ("/bookings/{booking_id}/cancel", "post"),
    ("/hotels/{hotel_id}/management-contact", "put"),
    ("/guests/{guest_id}/erase", "post"),
]


@pytest.fixture(scope="module")
def document() -> Iterator[dict[str, Any]]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    settings = Settings(log_format="json", auth_issuer="https://issuer.example", max_request_body_bytes=2048)
    yield create_app(settings).openapi()
    # Building the app configured logging for the whole process: the other tests get theirs back.
    structlog.reset_defaults()
    root.handlers[:], root.level = saved


@pytest.mark.parametrize(("path", "method"), COMMAND_ROUTES)
def test_every_refusal_of_a_command_is_documented_as_a_problem(
    document: dict[str, Any], path: str, method: str
) -> None:
    responses = document["paths"][path][method]["responses"]
    assert {"400", "401", "403", "404", "409", "413", "422", "500", "503"} <= set(responses)
    for status, response in responses.items():
        if int(status) >= 400:
            assert list(response["content"]) == [PROBLEM_JSON], status
            assert "$ref" in response["content"][PROBLEM_JSON]["schema"], status
    assert "2048 bytes" in responses["413"]["description"]
    assert "Retry-After" in responses["503"]["headers"]


@pytest.mark.parametrize(("path", "method"), COMMAND_ROUTES)
def test_the_idempotency_key_has_the_kit_s_format(document: dict[str, Any], path: str, method: str) -> None:
    parameters = document["paths"][path][method]["parameters"]
    [key] = [p for p in parameters if p.get("name") == "Idempotency-Key"]
    [text] = [option for option in key["schema"]["anyOf"] if option.get("type") == "string"]
    assert text["pattern"] == ID_PATTERN


def test_metrics_are_documented_as_prometheus_text(document: dict[str, Any]) -> None:
    assert list(document["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == ["text/plain"]


def test_every_request_example_is_a_valid_command_body(document: dict[str, Any]) -> None:
    """The examples a client generator shows are bodies the service takes (the schema's own model)."""
    from innkeeper_contracts import (
        COMMANDS,
        BookStay,
        CancelBookingBody,
        ChangeGuestContactBody,
        ChangeRoomCapacityBody,
        EraseGuestData,
        RegisterHotel,
        SetManagementContactBody,
        SetNightlyRateBody,
    )

    bodies: dict[str, type[BaseModel]] = {
        "RegisterHotel": RegisterHotel,
        "ChangeRoomCapacity": ChangeRoomCapacityBody,
        "SetNightlyRate": SetNightlyRateBody,
        "SetManagementContact": SetManagementContactBody,
        "BookStay": BookStay,
        "CancelBooking": CancelBookingBody,
        "ChangeGuestContact": ChangeGuestContactBody,
        "EraseGuestData": EraseGuestData,  # no body: the path names the guest
    }
    requests = {name: model.http.docs.examples for name, model in COMMANDS.items()}
    assert set(requests) == set(bodies)
    assert all((model.http.body or model) is bodies[name] for name, model in COMMANDS.items())
    for command, examples in requests.items():
        for example in examples.values():
            bodies[command].model_validate(example["value"])
    documented = document["paths"]["/bookings"]["post"]["requestBody"]["content"]["application/json"]
    assert set(documented["examples"]) == set(requests["BookStay"])


def test_every_answer_example_is_a_valid_answer() -> None:
    from command_service.http.examples import accepted, rejected
    from innkeeper_contracts import CommandAccepted, CommandRejected

    for booking in (True, False):
        CommandAccepted.model_validate(accepted("BookStay", booking=booking))
    assert CommandRejected.model_validate(rejected("BookStay", "/bookings")).kind == "business-rule"


def test_erasing_a_guest_s_data_takes_no_body_and_says_what_follows(document: dict[str, Any]) -> None:
    operation = document["paths"]["/guests/{guest_id}/erase"]["post"]
    assert "requestBody" not in operation
    [guest] = [p for p in operation["parameters"] if p.get("name") == "guest_id"]
    assert (guest["in"], guest["required"]) == ("path", True)
    assert "staff may not" in operation["description"]
    assert "a new booking by the guest makes a new key" in operation["description"]
    assert "Location" not in operation["responses"]["202"].get("headers", {})
