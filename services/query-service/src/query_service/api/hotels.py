"""Hotel routes: search with filters, sort and cursor, the hotel page, and per-night availability.

A stay is `check_in` (first night) to `check_out` (the day after the last night) here as everywhere;
availability still takes its old `from` / `to` for one version (deprecated)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from innkeeper_contracts.documents import (
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    HotelAvailability,
    HotelCard,
    HotelDetail,
    HotelNight,
    HotelPage,
)
from innkeeper_contracts.stay import MAX_NIGHTS, StayDatesError, night_count, night_id
from innkeeper_contracts.values import Name
from innkeeper_kit.edge_openapi import operation_id
from query_service.availability import hotel_availability
from query_service.cursor import decode_cursor, encode_cursor, fingerprint
from query_service.errors import InvalidQueryError, NotFoundError
from query_service.filters import HOTEL_ORDERS, HotelSearch, HotelSort, hotel_filter
from query_service.models import load

from . import examples
from .context import TOKEN_DOC, read_context
from .params import NOT_FOUND, PROBLEMS, CursorParam, LimitParam
from .rendering import public, render

router = APIRouter(tags=["hotels"], generate_unique_id_function=operation_id)
STAY_DESCRIPTION = (
    f"Departure day; only with `check_in`, after it and at most {MAX_NIGHTS} nights later (else 422)."
)
CITY_DESCRIPTION = (
    "Exact city name, as hotels register it: one line of text (the contracts' `Name`: no control, format or "
    "line-break characters; surrounding spaces are dropped), else 422 naming `city`."
)
RANGE_DESCRIPTION = (
    "Day after the last night (exclusive): after `check_in`, and at most `MAX_AVAILABILITY_NIGHTS` nights "
    "(92 unless configured) later (else 422)."
)
CheckIn = Annotated[
    date | None, Query(description="First night; only with `check_out`.", examples=["2030-07-01"])
]
HotelId = Annotated[UUID, Path(description="The hotel's id.", examples=[str(examples.HOTEL_ID)])]


def checked_stay(check_in: date | None, check_out: date | None) -> None:
    """Both dates or neither, by a stay's rules (`innkeeper_contracts.stay`): in order, at most
    MAX_NIGHTS nights."""
    if (check_in is None) != (check_out is None):
        raise InvalidQueryError.at(
            ["query", "check_out" if check_out is None else "check_in"],
            "give both check_in and check_out, or neither",
        )
    if check_in is not None and check_out is not None:
        nights_of(check_in, check_out, MAX_NIGHTS)


def nights_of(check_in: date, check_out: date, max_nights: int | None) -> int:
    """The nights from check_in to check_out, or a 422 on the date a stay's rule refuses."""
    try:
        return night_count(check_in, check_out, max_nights)
    except StayDatesError as error:
        raise InvalidQueryError.at(["query", error.field], error.message) from None


def stay_date(name: str, value: date | None, old_name: str, old_value: date | None) -> date:
    """A stay date given by its name or (deprecated) its old one; 422 when neither, or both differ."""
    if value is not None and old_value is not None and value != old_value:
        raise InvalidQueryError.at(["query", name], f"{name} and {old_name} differ: give {name} only")
    found = value if value is not None else old_value
    if found is None:
        raise InvalidQueryError.at(["query", name], "Field required", "missing")
    return found


@router.get(
    "/hotels",
    summary="Search hotels",
    response_model=HotelPage,
    responses=examples.with_example(PROBLEMS, examples.SEARCH),
    openapi_extra=TOKEN_DOC,
)
async def search_hotels(
    request: Request,
    city: Annotated[Name | None, Query(description=CITY_DESCRIPTION, examples=["Lisbon"])] = None,
    check_in: CheckIn = None,
    check_out: Annotated[date | None, Query(description=STAY_DESCRIPTION, examples=["2030-07-04"])] = None,
    guests: Annotated[
        int | None, Query(ge=1, le=20, description="Party size a room must fit.", examples=[2])
    ] = None,
    min_stars: Annotated[int | None, Query(ge=1, le=5, examples=[4])] = None,
    sort: Annotated[
        HotelSort, Query(description="`price`, `-price`, `stars` or `-stars`.", examples=["-stars"])
    ] = "price",
    cursor: CursorParam = None,
    limit: LimitParam = 20,
) -> Response:
    """Hotels that match, with a room type free for the whole stay when dates are given."""
    read = read_context(request)
    checked_stay(check_in, check_out)
    search = HotelSearch(city, check_in, check_out, guests, min_stars, sort)
    order, query_id = HOTEL_ORDERS[sort], fingerprint(search.fingerprint_fields())
    after = decode_cursor(cursor, query_id) if cursor is not None else None
    await read.fresh()
    rows, more = await read.read_model.find_page(HOTEL_CARDS, hotel_filter(search), order, after, limit)
    next_cursor = encode_cursor(order.position_of(rows[-1]), query_id) if more else None
    page = read.bodies.page(HotelCard, rows, next_cursor)
    return render(request, page, public(read.services.settings.cache_max_age_seconds))


@router.get(
    "/hotels/{hotel_id}",
    summary="Get a hotel",
    response_model=HotelDetail,
    responses=examples.with_example(NOT_FOUND, examples.HOTEL),
    openapi_extra=TOKEN_DOC,
)
async def get_hotel(request: Request, hotel_id: HotelId) -> Response:
    """The hotel page: its room types, capacities and rates."""
    read = read_context(request)
    await read.fresh()
    document = await read.read_model.find_one(HOTEL_DETAILS, str(hotel_id))
    if document is None:
        raise NotFoundError(f"no hotel {hotel_id}")
    body = read.bodies.tagged(HotelDetail, document)
    return render(request, body, public(read.services.settings.cache_max_age_seconds))


@router.get(
    "/hotels/{hotel_id}/availability",
    summary="Get a hotel's availability per night",
    response_model=HotelAvailability,
    responses=examples.with_example(NOT_FOUND, examples.AVAILABILITY),
    openapi_extra=TOKEN_DOC,
)
async def get_hotel_availability(
    request: Request,
    hotel_id: HotelId,
    check_in: Annotated[
        date | None, Query(description="First night (required).", examples=["2030-07-01"])
    ] = None,
    check_out: Annotated[
        date | None, Query(description=f"{RANGE_DESCRIPTION} Required.", examples=["2030-07-04"])
    ] = None,
    old_from: Annotated[
        date | None, Query(alias="from", deprecated=True, description="Deprecated: `check_in`.")
    ] = None,
    old_to: Annotated[
        date | None, Query(alias="to", deprecated=True, description="Deprecated: `check_out`.")
    ] = None,
) -> Response:
    """Booked and free rooms per night and room type; nights nobody booked are fully free."""
    read = read_context(request)
    limit = read.services.settings.max_availability_nights
    start = stay_date("check_in", check_in, "from", old_from)
    end = stay_date("check_out", check_out, "to", old_to)
    if nights_of(start, end, max_nights=None) > limit:  # a range, not a stay: its own limit and words
        raise InvalidQueryError.at(["query", "check_out"], f"at most {limit} nights per request")
    await read.fresh()
    hotel = str(hotel_id)
    nights_query = {"_id": {"$gte": night_id(hotel, start), "$lt": night_id(hotel, end)}}
    detail, nights = await asyncio.gather(
        read.read_model.find_one(HOTEL_DETAILS, hotel),
        read.read_model.find(HOTEL_NIGHTS, nights_query, [("_id", 1)]),
    )
    if detail is None:
        raise NotFoundError(f"no hotel {hotel_id}")
    stored = [load(HotelNight, night) for night in nights]
    answer = hotel_availability(load(HotelDetail, detail), stored, start, end)
    return render(request, answer, public(read.services.settings.cache_max_age_seconds))
