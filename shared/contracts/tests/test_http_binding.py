"""Each command's HTTP route: the path carries the ids of what it acts on, the body exactly the rest."""

from __future__ import annotations

import pytest

from innkeeper_contracts import COMMANDS, Command, Contract
from innkeeper_contracts.http_binding import HttpBinding


@pytest.mark.parametrize("model", COMMANDS.values(), ids=lambda model: model.__name__)
def test_the_path_and_the_body_carry_the_command_s_fields_between_them(model: type[Command]) -> None:
    binding = model.http
    in_path = [parameter.field for parameter in binding.parameters.values()]
    body = binding.body or (Contract if binding.bodiless else model)
    assert set(in_path) <= set(model.model_fields)
    assert not set(in_path) & set(body.model_fields)
    assert set(in_path) | set(body.model_fields) == set(model.model_fields)
    assert binding.method in ("POST", "PUT")


@pytest.mark.parametrize("model", COMMANDS.values(), ids=lambda model: model.__name__)
def test_every_request_example_is_a_body_of_its_route(model: type[Command]) -> None:
    binding = model.http
    assert bool(binding.docs.examples) != binding.bodiless
    for example in binding.docs.examples.values():
        (binding.body or model).model_validate(example["value"])


def test_a_body_model_is_declared_only_when_the_path_names_ids() -> None:
    with pytest.raises(ValueError, match="a body model only when"):
        HttpBinding("POST /hotels", COMMANDS["RegisterHotel"].http.docs, COMMANDS["RegisterHotel"])
    assert HttpBinding("POST /hotels/{hotel_id}/thing", COMMANDS["RegisterHotel"].http.docs).bodiless


def test_a_command_whose_path_carries_it_whole_has_no_body() -> None:
    binding = COMMANDS["EraseGuestData"].http
    assert binding.bodiless
    assert (binding.method, binding.path) == ("POST", "/guests/{guest_id}/erase")
    assert binding.path_of({"guest_id": "auth0|65f1"}) == "/guests/auth0%7C65f1/erase"
    assert not COMMANDS["BookStay"].http.bodiless
    assert not COMMANDS["CancelBooking"].http.bodiless


def test_the_path_is_filled_from_the_command_s_json() -> None:
    binding = COMMANDS["ChangeRoomCapacity"].http
    assert binding.path_of({"hotel_id": "h-1", "room_type": "DBL", "capacity": 3}) == (
        "/hotels/h-1/room-types/DBL/capacity"
    )
