"""The one rule for text: no control or format characters in any text field of a command or an event."""

import re
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from innkeeper_contracts import COMMANDS, EVENT_TYPES, BookStay, CancelBookingBody, RegisterHotel
from innkeeper_contracts.events import ManagementAlertRaised
from innkeeper_contracts.text import ONE_LINE
from innkeeper_contracts.values import Actor, Name, Reason

RATE = {"amount": "120.00", "currency": "EUR"}
ROOM = {"code": "DBL", "name": "Double", "capacity": 3, "max_guests": 2, "nightly_rate": RATE}


def hotel(**changes: Any) -> dict[str, Any]:
    return {"name": "Harbour Inn", "city": "Bergen", "stars": 4, "room_types": [ROOM]} | changes


def only_error(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    [error] = raised.value.errors()
    return dict(error)


@pytest.mark.parametrize(
    ("character", "described"),
    [
        ("\x00", "U+0000"),
        ("\x1b", "U+001B"),
        ("\x85", "U+0085"),
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE"),
        ("\U000e0001", "U+E0001 LANGUAGE TAG"),
        ("\ud800", "U+D800"),
    ],
)
def test_a_control_or_format_character_in_a_name_is_refused_naming_the_field(
    character: str, described: str
) -> None:
    error = only_error(RegisterHotel, hotel(name=f"Harbour{character} Inn"))
    assert error["loc"] == ("name",)
    assert error["type"] == "text_control_character"
    assert error["msg"] == f"contains a control or format character {described} at index 7"


@pytest.mark.parametrize("text", ["Ann\tBerg", "Ann\nBerg", "Ann\r\nBerg", "Ann\u2028Berg", "Ann\n", "\tAnn"])
def test_a_name_is_one_line_even_at_its_ends(text: str) -> None:
    room = ROOM | {"name": text}
    error = only_error(RegisterHotel, hotel(room_types=[room]))
    assert error["loc"] == ("room_types", 0, "name")
    assert error["type"] == "text_not_one_line"
    assert error["msg"].startswith("must be one line: contains U+")


def test_a_reason_may_have_tabs_and_line_breaks_but_no_control_characters() -> None:
    assert CancelBookingBody(reason="Plans changed.\r\n\tWill book again.").reason.startswith("Plans")
    for bad in ("plans\x00changed", "plans\u202echanged", "plans\x0bchanged"):
        error = only_error(CancelBookingBody, {"reason": bad})
        assert (error["loc"], error["type"]) == (("reason",), "text_control_character")


@pytest.mark.parametrize("text", ["Hôtel Ærø", "東京イン", "Inn 🏨", "Ann\u00a0Berg", "O'Brien-Smith", "ﷺ"])
def test_ordinary_text_of_any_script_is_accepted(text: str) -> None:
    assert TypeAdapter(Name).validate_python(text) == text


def test_events_and_actors_follow_the_rule_too() -> None:
    error = only_error(Actor, {"subject": "auth0|a\u200bb", "role": "guest"})
    assert error["loc"] == ("subject",)
    alert = {
        "booking_id": "0b6a1c9e-3f4d-4e5a-9b7c-2d1e0f9a8b7c",
        "hotel_id": "0b6a1c9e-3f4d-4e5a-9b7c-2d1e0f9a8b7d",
        "alert_id": "0b6a1c9e-3f4d-4e5a-9b7c-2d1e0f9a8b7e",
        "kinds": ["late_cancellation"],
        "message": "late\x00",
        "total_price": RATE,
        "refund": RATE,
        "raised_at": "2030-01-01T00:00:00Z",
    }
    assert only_error(ManagementAlertRaised, alert)["loc"] == ("message",)


def test_a_room_type_code_with_a_trailing_newline_is_refused() -> None:
    error = only_error(RegisterHotel, hotel(room_types=[ROOM | {"code": "DBL\n"}]))
    assert error["loc"] == ("room_types", 0, "code")


def _pattern_of(adapter: TypeAdapter[Any]) -> re.Pattern[str]:
    return re.compile(adapter.json_schema()["pattern"])


@pytest.mark.parametrize("annotated", [Name, Reason])
def test_the_schema_pattern_says_what_the_validator_does_on_the_basic_plane(annotated: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(annotated)
    pattern = _pattern_of(adapter)
    disagree = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # a pattern without the `u` flag cannot name a surrogate
        text = f"a{chr(code)}b"
        try:
            adapter.validate_python(text)
            accepted = True
        except ValidationError:
            accepted = False
        if accepted != bool(pattern.fullmatch(text)):
            disagree.append(f"U+{code:04X}")
    assert disagree == []


def _string_fields(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every string-valued property of a JSON Schema and its `$defs`, with a dotted path."""
    found = []
    for name, definition in schema.get("$defs", {}).items():
        found += _string_fields(definition, f"{name}.")
    for name, prop in schema.get("properties", {}).items():
        branches = prop.get("anyOf", [prop])
        if any(branch.get("type") == "number" for branch in branches):
            continue  # a decimal amount: its string form is a number
        found += [(f"{path}{name}", branch) for branch in branches if branch.get("type") == "string"]
        if prop.get("type") == "array" and prop["items"].get("type") == "string":
            found.append((f"{path}{name}[]", prop["items"]))
    return found


@pytest.mark.parametrize(
    "model", [*COMMANDS.values(), *EVENT_TYPES.values()], ids=lambda model: model.__name__
)
def test_every_text_field_of_every_command_and_event_is_bounded_and_follows_the_rule(
    model: type[BaseModel],
) -> None:
    """A string is a uuid, a date, an e-mail address, one of a list, or text of a pattern and a length
    (given as `maxLength` or in the pattern, as a guest id's `{0,127}`)."""
    unbounded = [
        path
        for path, field in _string_fields(model.model_json_schema())
        if not ({"format", "enum", "const"} & field.keys() or {"pattern", "maxLength"} <= field.keys())
        and not ("pattern" in field and re.search(r"\{\d+,\d+\}\$$", field["pattern"]))
    ]
    assert unbounded == []


def test_the_one_line_pattern_is_what_names_carry_everywhere() -> None:
    pattern = TypeAdapter(Name).json_schema()["pattern"]
    assert BookStay.model_json_schema()["$defs"]["BookingGuest"]["properties"]["name"]["pattern"] == pattern
    assert ONE_LINE.description in str(RegisterHotel.model_json_schema())
