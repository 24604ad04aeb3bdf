"""Correlation ids and idempotency keys: one strict format; a bad correlation id is replaced, not kept."""

from __future__ import annotations

import pytest

from innkeeper_kit.identifiers import acceptable_id, correlation_id_of


@pytest.mark.parametrize(
    ("value", "acceptable"),
    [
        ("a", True),
        ("order-17:retry.2_b", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("", False),
        ("with space", False),
        ("nul\x00", False),
        ("line\nbreak", False),
        ("trailing-newline\n", False),  # Python's `$` matches before a final newline
        ("x" * 128 + "\n", False),
        ("caf\u00e9", False),
        ("<script>", False),
    ],
)
def test_ids_have_one_strict_format(value: str, acceptable: bool) -> None:
    assert acceptable_id(value) is acceptable
    kept = correlation_id_of([(b"x-correlation-id", value.encode("latin-1", "replace"))])
    assert (kept == value) is acceptable
    assert acceptable_id(kept)


def test_a_request_without_an_id_gets_a_fresh_one_each_time() -> None:
    first, second = correlation_id_of([]), correlation_id_of([(b"accept", b"*/*")])
    assert first != second
    assert acceptable_id(first)
    assert len(second) == 32
