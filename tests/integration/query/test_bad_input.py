"""Bad input of every kind is a 4xx problem answer, never a 5xx."""

from __future__ import annotations

import base64
import json
import re
from uuid import uuid4

import httpx
import pytest

from innkeeper_kit.identifiers import ID_PATTERN
from query.seed import ClientFactory, Seed, hotel_card, hotel_detail

HOTEL = str(uuid4())
FORGED = base64.urlsafe_b64encode(json.dumps({"q": "x", "k": {"$gt": 1}, "i": 1}).encode()).decode()
NOT_JSON = base64.urlsafe_b64encode(b"\xff\xfe not json").decode()

BAD_REQUESTS: list[tuple[str, dict[str, str]]] = [
    # hotel search
    ("/hotels?city=", {}),
    ("/hotels?city=" + "x" * 201, {}),
    ("/hotels?check_in=2027-02-30&check_out=2027-03-02", {}),
    ("/hotels?check_in=tomorrow&check_out=2027-03-02", {}),
    ("/hotels?check_in=2027-03-01", {}),
    ("/hotels?check_out=2027-03-01", {}),
    ("/hotels?check_in=2027-03-05&check_out=2027-03-01", {}),
    ("/hotels?check_in=2027-03-05&check_out=2027-03-05", {}),
    ("/hotels?check_in=2027-03-01&check_out=2027-04-01", {}),
    ("/hotels?guests=0", {}),
    ("/hotels?guests=-1", {}),
    ("/hotels?guests=21", {}),
    ("/hotels?guests=99999999999999999999999999", {}),
    ("/hotels?guests=two", {}),
    ("/hotels?guests=1.5", {}),
    ("/hotels?min_stars=0", {}),
    ("/hotels?min_stars=6", {}),
    ("/hotels?min_stars=NaN", {}),
    ("/hotels?sort=name", {}),
    ("/hotels?sort=--price", {}),
    ("/hotels?sort=", {}),
    ("/hotels?limit=0", {}),
    ("/hotels?limit=101", {}),
    ("/hotels?limit=abc", {}),
    ("/hotels?cursor=", {}),
    ("/hotels?cursor=!!!", {}),
    ("/hotels?cursor=" + "A" * 2000, {}),
    (f"/hotels?cursor={FORGED}", {}),
    (f"/hotels?cursor={NOT_JSON}", {}),
    ("/hotels?cursor=W10", {}),  # base64 of "[]"
    ("/hotels?cursor=W10%3D", {}),  # padded: not what the service writes (pattern)
    ("/hotels?cursor=a%2Bb%2Fc", {}),  # "+" and "/": base64, not base64url
    ("/hotels?cursor=abc%20def", {}),
    # ids and ranges
    ("/hotels/not-a-uuid", {}),
    ("/hotels/%00", {}),
    ("/hotels/123", {}),
    ("/bookings/xyz", {}),
    ("/bookings/" + "1" * 40, {}),
    (f"/hotels/{HOTEL}/availability", {}),
    (f"/hotels/{HOTEL}/availability?check_in=2027-01-01", {}),
    (f"/hotels/{HOTEL}/availability?check_in=2027-01-05&check_out=2027-01-01", {}),
    (f"/hotels/{HOTEL}/availability?check_in=2027-01-01&check_out=2028-01-01", {}),
    (f"/hotels/{HOTEL}/availability?check_in=2027-13-01&check_out=2027-01-05", {}),
    ("/hotels/not-a-uuid/availability?check_in=2027-01-01&check_out=2027-01-05", {}),
    # the deprecated names are held to the same rules, and may not contradict the new ones
    (f"/hotels/{HOTEL}/availability?from=2027-01-05&to=2027-01-01", {}),
    (f"/hotels/{HOTEL}/availability?check_in=2027-01-01&from=2027-01-02&check_out=2027-01-05", {}),
    ("/guests/-leading-dash/bookings", {}),
    ("/guests/" + "g" * 129 + "/bookings", {}),
    ("/guests/a%20b/bookings", {}),
    ("/guests/ana/bookings?limit=1000", {}),
    ("/guests/ana/bookings?cursor=%%%", {}),
    ("/management/alerts?limit=-5", {}),
    ("/management/alerts?cursor=eyJ4IjoxfQ", {}),  # {"x":1}
    # consistency token
    ("/hotels", {"X-Consistency-Token": "garbage"}),
    ("/hotels", {"X-Consistency-Token": f"1.{uuid4()}"}),
    ("/hotels", {"X-Consistency-Token": f"x.{uuid4()}.1"}),
    ("/hotels", {"X-Consistency-Token": "1.not-a-uuid.1"}),
    ("/hotels", {"X-Consistency-Token": f"0.{uuid4()}.0"}),
    ("/hotels", {"X-Consistency-Token": f"1.{uuid4()}.1" * 10}),
    (f"/bookings/{uuid4()}", {"X-Consistency-Token": ""}),
    ("/hotels", {"X-Consistency-Token": f"1.{str(uuid4()).upper()}.1"}),
    ("/hotels", {"X-Consistency-Token": f"01.{uuid4()}.1"}),
    # not a route, not a method
    ("/nothing-here", {}),
]


@pytest.fixture
async def seeded(seed: Seed) -> Seed:
    await seed.put(hotel_card(), hotel_card(), hotel_card(), hotel_detail())
    return seed


@pytest.mark.parametrize(("path", "headers"), BAD_REQUESTS)
async def test_bad_input_is_a_client_error_problem(
    client: httpx.AsyncClient, seeded: Seed, path: str, headers: dict[str, str]
) -> None:
    response = await client.get(path, headers=headers)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["detail"]
    if response.status_code == 422:
        assert problem["type"] == "https://innkeeper.dev/problems/invalid-input"
        assert problem["errors"]
    assert problem["instance"] == path.split("?")[0]  # as sent: percent-encoded


@pytest.mark.parametrize(
    ("city", "error"),
    [
        ("%00", "text_control_character"),  # NUL
        ("Ber%00gen", "text_control_character"),
        ("%E2%80%AEnegreB", "text_control_character"),  # U+202E RIGHT-TO-LEFT OVERRIDE
        ("Ber%E2%80%8Bgen", "text_control_character"),  # U+200B ZERO WIDTH SPACE
        ("Ber%0Agen", "text_not_one_line"),
        ("Ber%E2%80%A8gen", "text_not_one_line"),  # U+2028 LINE SEPARATOR
        ("x" * 201, "string_too_long"),
        ("%20%20", "string_too_short"),  # spaces around a name are dropped: nothing is left
    ],
)
async def test_a_city_that_no_hotel_can_have_is_a_422_naming_the_parameter(
    client: httpx.AsyncClient, seeded: Seed, city: str, error: str
) -> None:
    """The contracts' one-line text rule and name length, as the hotels' cities were registered under."""
    response = await client.get(f"/hotels?city={city}")
    assert response.status_code == 422, response.text
    assert [(e["loc"], e["type"]) for e in response.json()["errors"]] == [(["query", "city"], error)]


async def test_a_city_is_matched_as_registered_spaces_around_it_dropped(
    client: httpx.AsyncClient, seed: Seed
) -> None:
    await seed.put(hotel_card(city="Bergen"), hotel_card(city="Oslo"))
    response = await client.get("/hotels?city=%20Bergen%20")
    assert response.status_code == 200, response.text
    assert [card["city"] for card in response.json()["items"]] == ["Bergen"]


async def test_writes_are_not_allowed(client: httpx.AsyncClient, seeded: Seed) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/hotels")
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["allow"] == "GET"
        assert response.json()["type"] == "https://innkeeper.dev/problems/method-not-allowed"


async def test_a_correlation_id_out_of_format_is_replaced(client: httpx.AsyncClient, seeded: Seed) -> None:
    kept = await client.get("/hotels/not-a-uuid", headers={"X-Correlation-Id": "mine-1"})
    replaced = await client.get("/hotels/not-a-uuid", headers={b"X-Correlation-Id": b"mine 1\xe9"})
    assert kept.headers["x-correlation-id"] == kept.json()["correlation_id"] == "mine-1"
    fresh = replaced.headers["x-correlation-id"]
    assert re.fullmatch(ID_PATTERN, fresh)
    assert replaced.json()["correlation_id"] == fresh


async def test_a_body_over_the_limit_is_a_413_problem(make_client: ClientFactory, seeded: Seed) -> None:
    client = await make_client(max_request_body_bytes=1024)
    response = await client.request("GET", "/hotels", content=b"x" * 1025)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "https://innkeeper.dev/problems/too-large"
