"""The OpenAPI document states the rules the search parameters are held to (built, never started)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from pydantic import TypeAdapter

from innkeeper_contracts.values import MAX_NAME_LENGTH, Name
from query_service.app import create_app
from query_service.settings import Settings


@pytest.fixture(scope="module")
def document() -> Iterator[dict[str, Any]]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield create_app(Settings(log_format="json", auth_issuer="https://issuer.example")).openapi()
    # Building the app configured logging for the whole process: the other tests get theirs back.
    structlog.reset_defaults()
    root.handlers[:], root.level = saved


def test_the_city_is_documented_as_one_line_of_text_no_longer_than_a_name(document: dict[str, Any]) -> None:
    [city] = [p for p in document["paths"]["/hotels"]["get"]["parameters"] if p.get("name") == "city"]
    [text] = [option for option in city["schema"]["anyOf"] if option.get("type") == "string"]
    assert text["pattern"] == TypeAdapter(Name).json_schema()["pattern"]
    assert text["maxLength"] == MAX_NAME_LENGTH
    for refused in ("\x00", "\u202e", "\u200b", "\n"):
        assert re.fullmatch(text["pattern"], f"Ber{refused}gen") is None, repr(refused)
    assert re.fullmatch(text["pattern"], "São Paulo")


def test_every_get_may_answer_408_and_413(document: dict[str, Any]) -> None:
    """Any request's body is bounded, a GET's too: the document says so where it can happen."""
    for path, item in document["paths"].items():
        assert {"408", "413"} <= set(item["get"]["responses"]), path
