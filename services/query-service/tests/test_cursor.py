"""Cursor encoding: round trip, opacity, and refusal of anything this service did not make."""

from __future__ import annotations

import base64
import json

import pytest

from query_service.cursor import Position, decode_cursor, encode_cursor, fingerprint
from query_service.errors import InvalidCursorError

QUERY = fingerprint({"city": "Lisbon", "sort": "price"})


@pytest.mark.parametrize("key", [0, 12_345, 2**63 - 1, -(2**63), "2027-01-01", "2026-11-26T12:00:00Z"])
def test_round_trip(key: str | int) -> None:
    position = Position(key=key, id="a0c1-id")
    cursor = encode_cursor(position, QUERY)
    assert decode_cursor(cursor, QUERY) == position
    assert "=" not in cursor  # URL-safe without padding


def test_fingerprint_is_stable_and_sensitive() -> None:
    assert fingerprint({"a": 1, "b": None}) == fingerprint({"b": None, "a": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})


def test_cursor_of_another_query_is_refused() -> None:
    cursor = encode_cursor(Position(key=1, id="x"), QUERY)
    with pytest.raises(InvalidCursorError, match="another query"):
        decode_cursor(cursor, fingerprint({"city": "Porto", "sort": "price"}))


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "%%%",
        "not base64 at all!",
        _b64([1, 2]),
        _b64({"q": QUERY, "k": {"$gt": 0}, "i": "x"}),  # an operator smuggled in as key
        _b64({"q": QUERY, "k": 1, "i": 5}),
        _b64({"q": QUERY, "k": True, "i": "x"}),
        _b64({"q": QUERY, "k": 2**63, "i": "x"}),  # beyond MongoDB's 64-bit ints (was a 500)
        _b64({"q": QUERY, "k": -(2**63) - 1, "i": "x"}),
        _b64({"q": QUERY, "i": "x"}),
        _b64({"k": 1, "i": "x"}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        "A" * 5000,
    ],
)
def test_malformed_cursors_are_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursorError) as raised:
        decode_cursor(cursor, QUERY)
    assert raised.value.errors[0].loc == ["query", "cursor"]
