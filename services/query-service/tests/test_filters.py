"""Filter building: one MongoDB query per search, keyset conditions per order."""

from __future__ import annotations

from datetime import date

from query_service.cursor import Position
from query_service.queries import ALERTS_ORDER, HOTEL_ORDERS, HotelSearch
from query_service.store.mongo.filters import after, hotel_filter, sort, with_position


def test_no_filters_match_everything() -> None:
    assert hotel_filter(HotelSearch()) == {}


def test_city_and_stars() -> None:
    assert hotel_filter(HotelSearch(city="Lisbon", min_stars=4)) == {
        "city": "Lisbon",
        "stars": {"$gte": 4},
    }


def test_stay_needs_one_room_type_that_fits_and_is_free_every_night() -> None:
    search = HotelSearch(check_in=date(2027, 1, 30), check_out=date(2027, 2, 2), guests=3)
    assert hotel_filter(search) == {
        "room_types": {
            "$elemMatch": {
                "max_guests": {"$gte": 3},
                "capacity": {"$gt": 0},
                "full_nights": {"$nin": ["2027-01-30", "2027-01-31", "2027-02-01"]},
            }
        }
    }


def test_dates_without_guests_mean_one_guest() -> None:
    search = HotelSearch(check_in=date(2027, 1, 1), check_out=date(2027, 1, 2))
    match = hotel_filter(search)["room_types"]["$elemMatch"]
    assert match["max_guests"] == {"$gte": 1}
    assert match["full_nights"] == {"$nin": ["2027-01-01"]}


def test_guests_without_dates_ignore_nights() -> None:
    match = hotel_filter(HotelSearch(guests=2))["room_types"]["$elemMatch"]
    assert "full_nights" not in match


def test_ascending_keyset_continues_after_the_last_row() -> None:
    order = HOTEL_ORDERS["price"]
    assert sort(order) == [("price_from_minor", 1), ("_id", 1)]
    assert after(order, Position(key=500, id="b")) == {
        "$or": [{"price_from_minor": {"$gt": 500}}, {"price_from_minor": 500, "_id": {"$gt": "b"}}]
    }


def test_descending_keyset_walks_backwards() -> None:
    assert sort(HOTEL_ORDERS["-stars"]) == [("stars", -1), ("_id", -1)]
    condition = after(ALERTS_ORDER, Position(key="2026-11-26T12:00:00Z", id="z"))
    assert condition["$or"][0] == {"raised_at": {"$lt": "2026-11-26T12:00:00Z"}}
    assert condition["$or"][1]["_id"] == {"$lt": "z"}


def test_position_joins_the_filter() -> None:
    order, position = HOTEL_ORDERS["stars"], Position(key=3, id="a")
    assert with_position({}, order, None) == {}
    assert with_position({}, order, position) == after(order, position)
    assert with_position({"city": "X"}, order, position) == {"$and": [{"city": "X"}, after(order, position)]}


def test_position_of_a_row() -> None:
    row = {"_id": "h1", "stars": 4, "price_from_minor": 900}
    assert HOTEL_ORDERS["-stars"].position_of(row) == Position(key=4, id="h1")
