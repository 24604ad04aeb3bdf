"""Stored documents as JSON bodies: the contract's bytes, validated once per distinct content."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from innkeeper_contracts.documents import HotelCard, HotelDetail, HotelPage
from query_service.body_cache import BodyCache, etag_of
from query_service.models import load


def stored_detail(**changes: Any) -> dict[str, Any]:
    rate = {"amount": "120.00", "currency": "EUR"}
    document: dict[str, Any] = {
        "_id": "00000000-0000-0000-0000-000000000007",
        "_rev": 3,
        "hotel_id": "00000000-0000-0000-0000-000000000007",
        "name": "Seven",
        "city": "Lyon",
        "stars": 4,
        "room_types": [
            {"code": "STD", "name": "Standard", "capacity": 5, "max_guests": 2, "nightly_rate": rate}
        ],
        "registered_at": "2026-11-26T10:00:00Z",
        "version": 1,
    }
    return document | changes


def stored_card(index: int) -> dict[str, Any]:
    rate = {"amount": "99.50", "currency": "EUR"}
    room = {"code": "STD", "name": "Std", "capacity": 5, "max_guests": 2, "nightly_rate": rate}
    card = {
        "hotel_id": f"00000000-0000-0000-0000-00000000000{index}",
        "name": f"Card {index}",
        "city": "Lyon",
        "stars": 3,
        "price_from": rate,
        "price_from_minor": 9950,
        "room_types": [room | {"full_nights": ["2026-12-01"]}],
        "version": 2,
    }
    return {"_id": card["hotel_id"], **card}


def test_a_body_is_what_the_contract_model_serialises() -> None:
    document = stored_detail()
    expected = load(HotelDetail, document).model_dump_json().encode()
    bodies = BodyCache()
    assert bodies.body(HotelDetail, document) == expected
    assert bodies.body(HotelDetail, document) == expected  # from the cache


def test_a_tagged_body_carries_the_etag_of_its_bytes() -> None:
    bodies = BodyCache()
    first = bodies.tagged(HotelDetail, stored_detail())
    assert first.json == bodies.body(HotelDetail, stored_detail())
    assert first.etag == etag_of(first.json)
    assert bodies.tagged(HotelDetail, stored_detail()) is first  # body and ETag from the cache
    renamed = bodies.tagged(HotelDetail, stored_detail(name="Renamed"))
    assert renamed.etag == etag_of(renamed.json) != first.etag


def test_changed_content_is_validated_again() -> None:
    bodies = BodyCache()
    bodies.body(HotelDetail, stored_detail())
    renamed = bodies.body(HotelDetail, stored_detail(name="Renamed", _rev=4))
    assert b'"name":"Renamed"' in renamed


def test_storage_only_fields_do_not_reach_the_body() -> None:
    body = BodyCache().body(HotelDetail, stored_detail())
    assert b"_rev" not in body
    assert b'"_id"' not in body


@pytest.mark.parametrize("broken", [stored_detail(stars="many"), stored_detail(room_types=None)])
def test_a_malformed_document_raises_every_time(broken: dict[str, Any]) -> None:
    bodies = BodyCache()
    for _ in range(2):  # never cached as if it were good
        with pytest.raises(ValidationError):
            bodies.body(HotelDetail, broken)


def test_a_field_this_version_does_not_know_is_left_out() -> None:
    """A newer projector may write a field first (docs/evolution.md): the answer leaves it out."""
    body = BodyCache().body(HotelDetail, stored_detail(added_later=1))
    assert b"added_later" not in body
    assert body == BodyCache().body(HotelDetail, stored_detail())


def test_a_type_change_is_not_a_cache_hit() -> None:
    bodies = BodyCache()
    bodies.body(HotelDetail, stored_detail())
    with pytest.raises(ValidationError):
        bodies.body(HotelDetail, stored_detail(stars=4.5))


def test_the_cache_is_bounded_in_bytes_and_lets_the_least_recently_used_go() -> None:
    documents = [stored_detail(name=f"Hotel {index}") for index in range(6)]
    one = BodyCache()
    one.body(HotelDetail, documents[0])
    bodies = BodyCache(max_bytes=3 * one.bytes)  # room for three bodies of this size
    for document in documents[:3]:
        bodies.body(HotelDetail, document)
    bodies.body(HotelDetail, documents[0])  # used again: the least recently used is now the second
    for document in documents[3:]:
        bodies.body(HotelDetail, document)
        assert bodies.bytes <= bodies.max_bytes
    kept = {tagged.json for tagged in bodies._bodies.values()}
    assert kept == {bodies.body(HotelDetail, d) for d in documents[3:]}
    big = BodyCache(max_bytes=4 * one.bytes)
    for document in documents:
        big.body(HotelDetail, document)
    assert len(big._bodies) == 4


def test_a_body_larger_than_the_cache_is_answered_but_not_kept() -> None:
    bodies = BodyCache(max_bytes=100)
    assert (
        bodies.body(HotelDetail, stored_detail())
        == load(HotelDetail, stored_detail()).model_dump_json().encode()
    )
    assert (bodies.bytes, len(bodies._bodies)) == (0, 0)


def test_a_page_is_what_the_page_model_serialises() -> None:
    documents = [stored_card(index) for index in range(3)]
    for cursor in (None, "abc_-"):
        page = HotelPage(items=[load(HotelCard, document) for document in documents], next_cursor=cursor)
        assert BodyCache().page(HotelCard, documents, cursor) == page.model_dump_json().encode()
