"""An envelope's text fields are bounded like every other text of the contracts: the projector parses
what arrives with them, so an envelope with a NUL, a bidi override or a 100 KB id is refused (parked)."""

from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.envelope import MAX_TRACE_ID_LENGTH


def envelope(**changes: Any) -> dict[str, Any]:
    return {
        "event_id": str(uuid4()),
        "event_type": "RefundIssued",
        "schema_version": 1,
        "aggregate_type": "booking",
        "aggregate_id": str(uuid4()),
        "aggregate_version": 1,
        "global_position": 1,
        "partition_key": str(uuid4()),
        "occurred_at": "2030-01-01T00:00:00Z",
        "correlation_id": "c-1",
        "causation_id": "m-1",
        "data": {},
    } | changes


def refused(**changes: Any) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as raised:
        EventEnvelope.model_validate(envelope(**changes))
    return [(error["loc"], error["type"]) for error in raised.value.errors()]


@pytest.mark.parametrize("field", ["correlation_id", "causation_id"])
@pytest.mark.parametrize(
    ("value", "error_type"),
    [
        ("c\x00", "text_control_character"),
        ("c\u202e", "text_control_character"),
        ("c\n", "text_not_one_line"),
        ("c" * 100_000, "string_too_long"),
        ("", "string_too_short"),
    ],
)
def test_a_trace_id_is_one_line_of_bounded_text(field: str, value: str, error_type: str) -> None:
    assert refused(**{field: value}) == [((field,), error_type)]


@pytest.mark.parametrize("field", ["correlation_id", "causation_id"])
def test_ids_as_the_log_holds_them_are_still_read(field: str) -> None:
    """Events in the log were written with ids of any printable text, up to 255 characters (AMQP short
    strings): not the strict pattern new ids follow."""
    for value in ("x" * MAX_TRACE_ID_LENGTH, "support ticket #4711 / café", "a|b c=d"):
        assert getattr(EventEnvelope.model_validate(envelope(**{field: value})), field) == value
    assert refused(**{field: "x" * (MAX_TRACE_ID_LENGTH + 1)}) == [((field,), "string_too_long")]


@pytest.mark.parametrize(
    ("value", "error_type"),
    [("p" * 65, "string_too_long"), ("p\x00", "text_control_character"), ("", "string_too_short")],
)
def test_a_partition_key_is_one_short_line(value: str, error_type: str) -> None:
    assert refused(partition_key=value) == [(("partition_key",), error_type)]


@pytest.mark.parametrize("field", ["event_type", "aggregate_type"])
@pytest.mark.parametrize("value", ["", "Stay Booked", "1Stay", "Stay\x00", "booking.x", "S" * 65])
def test_type_names_are_names(field: str, value: str) -> None:
    assert refused(**{field: value}) == [((field,), "string_pattern_mismatch")]


def test_the_schema_states_the_bounds() -> None:
    properties = EventEnvelope.model_json_schema()["properties"]
    assert properties["correlation_id"]["maxLength"] == MAX_TRACE_ID_LENGTH
    assert properties["causation_id"]["maxLength"] == MAX_TRACE_ID_LENGTH
    assert properties["correlation_id"]["pattern"].startswith("^[^\\u0000-")
    assert properties["partition_key"]["maxLength"] == 64
    assert properties["event_type"]["pattern"] == properties["aggregate_type"]["pattern"]
