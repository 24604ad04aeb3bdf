"""Where each command goes over HTTP, and how an AMQP reply is read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

import orjson
import pytest

from innkeeper_client import CommandRejectedError, ConflictError, InvalidRequestError
from innkeeper_client.amqp import read_reply
from innkeeper_client.commands import CommandMethods, command_json, command_request
from innkeeper_contracts import (
    ChangeRoomCapacity,
    CommandAccepted,
    CommandRejected,
    EraseGuestData,
    RegisterHotel,
    SetManagementContact,
    SetNightlyRate,
)

HOTEL = uuid4()


@pytest.mark.parametrize(
    ("command", "method", "path", "body"),
    [
        (
            ChangeRoomCapacity(hotel_id=HOTEL, room_type="DBL", capacity=4),
            "POST",
            f"/hotels/{HOTEL}/room-types/DBL/capacity",
            {"capacity": 4},
        ),
        (
            SetNightlyRate.model_validate(
                {
                    "hotel_id": str(HOTEL),
                    "room_type": "DBL",
                    "nightly_rate": {"amount": "9.50", "currency": "EUR"},
                }
            ),
            "POST",
            f"/hotels/{HOTEL}/room-types/DBL/rate",
            {"nightly_rate": {"amount": "9.50", "currency": "EUR"}},
        ),
        (
            SetManagementContact(hotel_id=HOTEL, email="desk@example.com"),
            "PUT",
            f"/hotels/{HOTEL}/management-contact",
            {"email": "desk@example.com"},
        ),
    ],
)
def test_ids_go_in_the_path_the_rest_in_the_body(
    command: ChangeRoomCapacity | SetNightlyRate | SetManagementContact,
    method: str,
    path: str,
    body: dict[str, object],
) -> None:
    assert command_request(type(command).__name__, command_json(command)) == (method, path, body)


def test_an_erasure_names_the_guest_in_the_path_and_sends_no_fields() -> None:
    command = EraseGuestData(guest_id="auth0|ann")
    assert command_request("EraseGuestData", command_json(command)) == (
        "POST",
        "/guests/auth0%7Cann/erase",
        {},
    )


def test_a_hotel_without_an_id_leaves_it_to_the_server() -> None:
    hotel = RegisterHotel.model_validate(
        {
            "name": "Harbour Inn",
            "city": "Bergen",
            "stars": 4,
            "room_types": [
                {
                    "code": "DBL",
                    "name": "Double",
                    "capacity": 3,
                    "max_guests": 2,
                    "nightly_rate": {"amount": "100.00", "currency": "EUR"},
                }
            ],
        }
    )
    method, path, body = command_request("RegisterHotel", command_json(hotel))
    assert (method, path) == ("POST", "/hotels")
    assert "hotel_id" not in body
    assert "management_email" not in body


def test_an_unknown_command_is_refused_before_sending() -> None:
    with pytest.raises(ValueError, match="unknown command"):
        command_request("DropTables", {})


def test_an_accepted_reply_reads_as_command_accepted() -> None:
    reply = {"status": "accepted", "command": "BookStay", "aggregate_id": str(HOTEL)}
    reply |= {"consistency_token": f"3.{HOTEL}.1", "correlation_id": "c"}
    assert read_reply("BookStay", orjson.dumps(reply)).aggregate_id == HOTEL


def test_a_rejected_reply_raises_the_rejection_of_its_kind() -> None:
    reply = {"status": 409, "type": "https://innkeeper.dev/problems/business-rule", "title": "Refused"}
    reply |= {"detail": "no room", "command": "BookStay", "instance": "urn:innkeeper:command:k1"}
    with pytest.raises(ConflictError) as raised:
        read_reply("BookStay", orjson.dumps(reply))
    assert isinstance(raised.value, CommandRejectedError)
    assert isinstance(raised.value.problem, CommandRejected)
    assert raised.value.problem.detail == "no room"


def test_a_reply_that_is_no_json_is_still_an_error() -> None:
    with pytest.raises(CommandRejectedError) as raised:
        read_reply("BookStay", b"\xff not json")
    assert raised.value.status == 500
    assert not isinstance(raised.value, InvalidRequestError)


class Recorded(CommandMethods):
    """Keeps what it was asked to deliver and accepts it."""

    def __init__(self) -> None:
        self.delivered: list[tuple[str, Mapping[str, Any], str, str]] = []

    async def deliver(
        self, name: str, body: Mapping[str, Any], idempotency_key: str, correlation_id: str
    ) -> CommandAccepted:
        self.delivered.append((name, body, idempotency_key, correlation_id))
        return CommandAccepted(
            command=name, aggregate_id=HOTEL, consistency_token=f"1.{HOTEL}.1", correlation_id=correlation_id
        )


async def test_a_typed_method_sends_its_command_with_the_key_given_or_a_new_one() -> None:
    sender, command = Recorded(), ChangeRoomCapacity(hotel_id=HOTEL, room_type="DBL", capacity=4)
    await sender.change_room_capacity(command, idempotency_key="k-1", correlation_id="c-1")
    await sender.set_management_contact(SetManagementContact(hotel_id=HOTEL, email="desk@example.com"))
    (name, body, key, correlation), (other, _, new_key, new_correlation) = sender.delivered
    assert (name, body, key, correlation) == ("ChangeRoomCapacity", command_json(command), "k-1", "c-1")
    assert other == "SetManagementContact"
    assert new_key != new_correlation  # each new, neither empty
    assert len(new_key) == len(new_correlation) == 32


def test_a_typed_method_says_what_it_sends() -> None:
    assert "Book a stay" in (CommandMethods.book_stay.__doc__ or "")
    assert CommandMethods.cancel_booking.__doc__ == "Send CancelBooking."
