"""Hotel routes: search with filters, sort and cursor, the hotel page, and per-night availability."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from innkeeper_contracts.documents import (
    HOTEL_CARDS,
    HOTEL_DETAILS,
    HOTEL_NIGHTS,
    HotelCard,
    HotelDetail,
    HotelNight,
)
from innkeeper_contracts.values import Name
from query_service.availability import hotel_availability, night_id
from query_service.cursor import decode_cursor, encode_cursor, fingerprint
from query_service.errors import InvalidQueryError, NotFoundError
from query_service.filters import HOTEL_ORDERS, MAX_STAY_NIGHTS, HotelSearch, HotelSort, hotel_filter
from query_service.models import HotelAvailability, HotelPage, load

from .context import TOKEN_DOC, read_context
from .params import NOT_FOUND, PROBLEMS, CursorParam, LimitParam
from .rendering import public, render

router = APIRouter(tags=["hotels"])
STAY_DESCRIPTION = (
    f"Departure day; only with `check_in`, after it and at most {MAX_STAY_NIGHTS} nights later (else 422)."
)
CITY_DESCRIPTION = (
    "Exact city name, as hotels register it: one line of text (the contracts' `Name`: no control, format or "
    "line-break characters; surrounding spaces are dropped), else 422 naming `city`."
)
RANGE_DESCRIPTION = (
    "Day after the last night (exclusive): after `from`, and at most `MAX_AVAILABILITY_NIGHTS` nights "
    "(92 unless configured) later (else 422)."
)


def checked_stay(check_in: date | None, check_out: date | None) -> None:
    """Both dates or neither, in order, at most MAX_STAY_NIGHTS nights."""
    if (check_in is None) != (check_out is None):
        raise InvalidQueryError.at(
            ["query", "check_out" if check_out is None else "check_in"],
            "give both check_in and check_out, or neither",
        )
    if check_in is not None and check_out is not None:
        if check_out <= check_in:
            raise InvalidQueryError.at(["query", "check_out"], "check_out must be after check_in")
        if (check_out - check_in).days > MAX_STAY_NIGHTS:
            raise InvalidQueryError.at(["query", "check_out"], f"a stay is at most {MAX_STAY_NIGHTS} nights")


@router.get("/hotels", response_model=HotelPage, responses=PROBLEMS, openapi_extra=TOKEN_DOC)
async def search_hotels(
    request: Request,
    city: Annotated[Name | None, Query(description=CITY_DESCRIPTION)] = None,
    check_in: Annotated[date | None, Query(description="First night; only with `check_out`.")] = None,
    check_out: Annotated[date | None, Query(description=STAY_DESCRIPTION)] = None,
    guests: Annotated[int | None, Query(ge=1, le=20, description="Party size a room must fit.")] = None,
    min_stars: Annotated[int | None, Query(ge=1, le=5)] = None,
    sort: Annotated[HotelSort, Query(description="`price`, `-price`, `stars` or `-stars`.")] = "price",
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


@router.get("/hotels/{hotel_id}", response_model=HotelDetail, responses=NOT_FOUND, openapi_extra=TOKEN_DOC)
async def hotel_detail(request: Request, hotel_id: UUID) -> Response:
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
    response_model=HotelAvailability,
    responses=NOT_FOUND,
    openapi_extra=TOKEN_DOC,
)
async def availability(
    request: Request,
    hotel_id: UUID,
    start: Annotated[date, Query(alias="from", description="First night.")],
    end: Annotated[date, Query(alias="to", description=RANGE_DESCRIPTION)],
) -> Response:
    """Booked and free rooms per night and room type; nights nobody booked are fully free."""
    read = read_context(request)
    limit = read.services.settings.max_availability_nights
    if end <= start:
        raise InvalidQueryError.at(["query", "to"], "`to` must be after `from`")
    if (end - start).days > limit:
        raise InvalidQueryError.at(["query", "to"], f"at most {limit} nights per request")
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
