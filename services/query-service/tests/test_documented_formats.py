"""The formats the OpenAPI document states are the ones the service enforces."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from innkeeper_contracts import ConsistencyToken
from query_service.api.context import TOKEN_PATTERN
from query_service.api.params import CURSOR_PATTERN
from query_service.cursor import Position, encode_cursor

AGGREGATE = uuid4()
TOKENS = [
    f"1.{AGGREGATE}.1",
    f"9223372036854775807.{AGGREGATE}.4294967295",
    f"0.{AGGREGATE}.1",
    f"01.{AGGREGATE}.1",
    f"1.{str(AGGREGATE).upper()}.1",
    f"1.{AGGREGATE.hex}.1",
    f"1.{AGGREGATE}.0",
    f"1.{AGGREGATE}",
    f"1.{AGGREGATE}.1.",
    f"{'9' * 20}.{AGGREGATE}.1",
    f"1.{AGGREGATE}.{'9' * 11}",
    "",
]


def decodes(token: str) -> bool:
    try:
        ConsistencyToken.decode(token)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("token", TOKENS)
def test_the_documented_token_pattern_is_the_contract_s_form(token: str) -> None:
    assert (re.fullmatch(TOKEN_PATTERN, token) is not None) is decodes(token)


def test_a_token_the_command_service_writes_matches_the_pattern() -> None:
    token = ConsistencyToken(aggregate_id=AGGREGATE, aggregate_version=3, global_position=1234).encode()
    assert re.fullmatch(TOKEN_PATTERN, token)


@pytest.mark.parametrize("key", ["x" * 900, 2**62, -(2**62), 'ünï "quoted" / + =', ""])
def test_every_cursor_the_service_writes_matches_the_documented_pattern(key: str | int) -> None:
    cursor = encode_cursor(Position(key=key, id=str(uuid4())), "0123456789abcdef")
    assert re.fullmatch(CURSOR_PATTERN, cursor)
