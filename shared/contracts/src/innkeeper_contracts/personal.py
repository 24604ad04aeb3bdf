"""Personal data on the wire: which fields hold it (`x-personal-data: true` in their JSON Schema), and the
shape of a personal field in an event, a text sealed under the guest's data key.

A guest's name, e-mail address and the free text they write are sealed by the command service before
they enter an event (`sealed:v1:<key id>:<base64url>`), so erasing the guest's key erases them from the
log, the wire, parked events and dead letters at once. The contracts only name the format: sealing and
opening are the service kit's (`innkeeper_kit.personal`), which takes these constants from here (the
contracts are the lower layer and import nothing of the kit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, StringConstraints
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from .text import MULTI_LINE

SEALED_PREFIX = "sealed:v1:"
"""How a sealed text begins; a personal field without it is clear text logged before sealing existed."""
ERASED = "[erased]"
"""What a reader shows (and a read document holds) for a sealed text whose guest's key is erased."""
PERSONAL_DATA = "x-personal-data"
"""The JSON Schema annotation of a field that holds personal data."""
SEALED_FROM_VERSION = {
    "StayBooked": 3,
    "GuestContactChanged": 2,
    "GuestNotificationRequested": 2,
    "BookingCancelled": 2,
}
"""Event type → the schema version from which its personal fields are sealed (before: clear text)."""
MAX_PERSONAL_TEXT_LENGTH = 2048
"""Room for the longest sealed text: 254 characters (an e-mail address) of up to 4 UTF-8 bytes each,
with nonce and tag, in base64url behind the prefix and key id (about 1,400 characters)."""


@dataclass(frozen=True)
class PersonalData:
    """Put in `Annotated[...]`: marks a field as personal data in its JSON Schema (`x-personal-data`),
    with a description saying how it is protected. Changes nothing of what validates."""

    description: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return handler(source)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema[PERSONAL_DATA] = True
        json_schema["description"] = self.description
        return json_schema


def sealed_description(what: str, event: str) -> str:
    """The description of a personal field of an event: sealed since a schema version, clear before."""
    version = SEALED_FROM_VERSION[event]
    return (
        f"Personal data ({what}): sealed under the guest's data key (`{SEALED_PREFIX}<key id>:<base64url>`);"
        f" events logged before schema version {version} hold clear text. A reader whose key is erased"
        f" shows `{ERASED}`."
    )


SEALED_TEXT = PersonalData(
    f"Personal data: sealed under the guest's data key (`{SEALED_PREFIX}<key id>:<base64url>`), or clear"
    f" text in an event logged before its personal fields were sealed. A reader whose key is erased shows"
    f" `{ERASED}`."
)

PersonalText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_PERSONAL_TEXT_LENGTH), MULTI_LINE, SEALED_TEXT
]
"""A personal field of an event: a sealed text, or the clear text of an event logged before sealing (a
name, an address, free text: hence the free-text rule, which the sealed form's characters also keep)."""

IN_CLEAR = PersonalData(
    "Personal data, sent in clear: the command service seals it before it enters an event. A command"
    " dead-lettered by the broker holds it in clear until the dead letters' retention deletes it."
)
"""Marks a command's personal field (`Annotated[Name, IN_CLEAR]`)."""
SHOWN = PersonalData(
    f"Personal data, in clear for those who may read the document; `{ERASED}` once the guest's personal"
    " data is erased."
)
"""Marks a read document's personal field (`Annotated[str, SHOWN]`)."""
KNOWN = PersonalData(
    "Personal data, in clear: the guest as the command service knows them; sealed before it enters an event."
)
"""Marks a personal field of the guest value the command service works with (`values.Guest`)."""
