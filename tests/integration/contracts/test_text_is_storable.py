"""Property: any text the contracts accept, PostgreSQL (text and jsonb) and the read model store accept
too, and give back unchanged. The texts come from the contracts' own rule (its JSON Schema pattern) and
from all of Unicode, controls and surrogates included; each is put through the models first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from psycopg.types.json import Jsonb
from pydantic import BaseModel, TypeAdapter, ValidationError
from pymongo import MongoClient

from innkeeper_contracts import Actor, CancelBooking, Guest, RegisterHotel
from innkeeper_contracts.values import MAX_NAME_LENGTH, Name

RATE = {"amount": "120.00", "currency": "EUR"}

EDGES = "\x00\x1f\x7f\x85\xa0\u200b\u202e\u2028\ufeff\uffff\ud800\udfff\U000e0001\U0010ffff"
"""Characters a store or a reader trips on (NUL, surrogates, bidi, noncharacters): drawn often."""
ACCEPTED_BY_THE_PATTERN = st.from_regex(TypeAdapter(Name).json_schema()["pattern"], fullmatch=True)
TEXTS = st.one_of(
    ACCEPTED_BY_THE_PATTERN.map(lambda text: text[:MAX_NAME_LENGTH]),
    st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from(EDGES)), max_size=40),
)

CONTRACTS: dict[str, Callable[[str], BaseModel]] = {
    "hotel": lambda text: RegisterHotel.model_validate(
        {
            "name": text,
            "city": text,
            "stars": 3,
            "room_types": [
                {"code": "DBL", "name": text, "capacity": 1, "max_guests": 1, "nightly_rate": RATE}
            ],
        }
    ),
    "reason": lambda text: CancelBooking(booking_id=uuid4(), reason=text),
    "guest": lambda text: Guest(guest_id="g-1", name=text, email="ann@example.org"),
    "email": lambda text: Guest(guest_id="g-1", name="Ann", email=f"{text}@example.org"),
    "actor": lambda text: Actor(subject=text, role="guest"),
}


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return []


@pytest.fixture
def scratch(postgres_dsn: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute(
            "CREATE TABLE scratch (id serial PRIMARY KEY, line text NOT NULL, doc jsonb NOT NULL)"
        )
        yield connection


@pytest.fixture
def collection(mongodb_server: str, mongodb_database: str) -> Iterator[Any]:
    client: MongoClient[dict[str, Any]] = MongoClient(mongodb_server)
    try:
        yield client[mongodb_database]["scratch"]
    finally:
        client.drop_database(mongodb_database)
        client.close()


def test_text_the_contracts_accept_is_stored_and_read_back_unchanged(
    scratch: psycopg.Connection[Any], collection: Any
) -> None:
    accepted: list[str] = []

    def stored_as_given(text: str) -> None:
        for name, contract in CONTRACTS.items():
            try:
                document = contract(text).model_dump(mode="json")
            except ValidationError:
                continue  # refused at the edge: never reaches a store
            accepted.append(name)
            for line in strings_in(document):
                row = scratch.execute(
                    "INSERT INTO scratch (line, doc) VALUES (%s, %s) RETURNING line, doc",
                    (line, Jsonb(document)),
                ).fetchone()
                assert row == (line, document)
            _id = collection.insert_one({"doc": document}).inserted_id
            assert collection.find_one({"_id": _id}, {"_id": 0}) == {"doc": document}

    property_test = given(text=TEXTS)(stored_as_given)
    for character in EDGES:  # always tried, besides what hypothesis draws
        property_test = example(text=f"Harbour {character}Inn")(property_test)
    settings(max_examples=60, deadline=None, database=None)(property_test)()  # database: none in the tree
    assert set(accepted) == set(CONTRACTS), "some contract accepted none of the texts: the property is empty"
