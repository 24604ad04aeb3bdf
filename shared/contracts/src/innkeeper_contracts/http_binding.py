"""How a command travels over HTTP: its method and path, which command fields the path carries, the body
that carries the rest, and what the OpenAPI document says about it. Declared once per command
(`RegisterHotel.http`, ...): the command service builds its routes from it, the client its requests."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import quote

from .contract import Contract
from .values import GUEST_ID_PATTERN, ROOM_TYPE_CODE_PATTERN

HOTEL_ID = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
BOOKING_ID = "6f1c2d7e-3b4a-4c5d-9e8f-0a1b2c3d4e5f"
GUEST_ID = "guest-42"
"""The ids every example of the command service names (the guest's as `BOOK_STAY`'s staff example)."""


class RequestExample(TypedDict):
    """A request body shown in the OpenAPI document (a unit test sends each one to the service)."""

    summary: str
    value: dict[str, Any]


@dataclass(frozen=True)
class OperationDocs:
    """What the OpenAPI document says of a command's route besides its shape (its description is the
    command's docstring, then who may send it: `audiences`)."""

    summary: str
    tag: str
    examples: Mapping[str, RequestExample]


@dataclass(frozen=True)
class PathParameter:
    """A part of a path: the command field it fills, and how the OpenAPI document shows it."""

    field: str
    description: str
    example: str
    pattern: str | None = None


PATH_PARAMETERS: Mapping[str, PathParameter] = {
    "hotel_id": PathParameter("hotel_id", "The hotel's id.", HOTEL_ID),
    "booking_id": PathParameter("booking_id", "The booking's id.", BOOKING_ID),
    "code": PathParameter("room_type", "Room type code.", "DBL", ROOM_TYPE_CODE_PATTERN),
    "guest_id": PathParameter(
        "guest_id",
        "The guest's id (their token's subject when they act themselves).",
        GUEST_ID,
        GUEST_ID_PATTERN,
    ),
}
"""Every path parameter of the commands, by its name in the path (`{code}` fills `room_type`)."""

_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class HttpBinding:
    """A command's HTTP route, `"POST /hotels"`: POST, or PUT for one that sets a whole value (sent twice,
    it changes nothing more). The path carries the ids, `body` the rest; without a body model the command
    itself is the body when its path names no id, and there is no body when it does (`bodiless`: the
    path carries the whole command, e.g. `POST /guests/{guest_id}/erase`)."""

    route: str
    docs: OperationDocs
    body: type[Contract] | None = None
    method: str = field(init=False)
    path: str = field(init=False)
    parameters: Mapping[str, PathParameter] = field(init=False)

    def __post_init__(self) -> None:
        method, path = self.route.split(" ")
        parameters = {name: PATH_PARAMETERS[name] for name in _PLACEHOLDER.findall(path)}
        if self.body is not None and not parameters:
            raise ValueError(f"{self.route}: a body model only when the path names ids")
        for name, value in (("method", method), ("path", path), ("parameters", parameters)):
            object.__setattr__(self, name, value)

    @property
    def bodiless(self) -> bool:
        """No request body: the path carries every field of the command."""
        return self.body is None and bool(self.parameters)

    def path_of(self, fields: Mapping[str, Any]) -> str:
        """The path filled from the command's fields (its JSON or its model's), each percent-encoded (a
        guest id may hold `|`)."""
        values = {name: quote(str(fields[p.field]), safe="") for name, p in self.parameters.items()}
        return self.path.format_map(values)

    def example_path(self) -> str:
        """The path filled with its parameters' examples."""
        return self.path.format_map({name: p.example for name, p in self.parameters.items()})
