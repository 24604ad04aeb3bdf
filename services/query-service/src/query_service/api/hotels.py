"""Hotel routes: search with filters, sort and cursor, the hotel page, and per-night availability.

A stay is `check_in` (first night) to `check_out` (the day after the last night) here as everywhere;
availability still takes its old `from` / `to` for one version (deprecated)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from innkeeper_contracts.documents import HotelAvailability, HotelCard, HotelDetail, HotelPage
from innkeeper_contracts.stay import MAX_NIGHTS
from innkeeper_contracts.values import Name
from innkeeper_kit.edge_openapi import operation_id
from query_service.availability import hotel_availability
from query_service.errors import InvalidQueryError, NotFoundError
from query_service.models import load
from query_service.queries import HotelSearch, HotelSort

from . import examples
from .context import read_context, read_route
from .dates import checked_stay, nights_of, stay_date
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


@read_route(router, "/hotels", "Search hotels", HotelPage, PROBLEMS, examples.SEARCH)
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
    page = await read.page(
        HotelCard,
        search.fingerprint_fields(),
        cursor,
        lambda after: read.read_model.search_hotels(search, after, limit),
    )
    return render(request, page, public(read.runtime.settings.cache_max_age_seconds))


@read_route(router, "/hotels/{hotel_id}", "Get a hotel", HotelDetail, NOT_FOUND, examples.HOTEL)
async def get_hotel(request: Request, hotel_id: HotelId) -> Response:
    """The hotel page: its room types, capacities and rates."""
    read = read_context(request)
    document = await read.document("hotel", hotel_id)
    if document is None:
        raise NotFoundError(f"no hotel {hotel_id}")
    body = read.body_cache.tagged(HotelDetail, document)
    return render(request, body, public(read.runtime.settings.cache_max_age_seconds))


@read_route(
    router,
    "/hotels/{hotel_id}/availability",
    "Get a hotel's availability per night",
    HotelAvailability,
    NOT_FOUND,
    examples.AVAILABILITY,
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
    limit = read.runtime.settings.max_availability_nights
    start = stay_date("check_in", check_in, "from", old_from)
    end = stay_date("check_out", check_out, "to", old_to)
    if nights_of(start, end, max_nights=None) > limit:  # a range, not a stay: its own limit and words
        raise InvalidQueryError.at(["query", "check_out"], f"at most {limit} nights per request")
    await read.fresh()
    detail, nights = await asyncio.gather(
        read.read_model.hotel_detail(hotel_id), read.read_model.nights(hotel_id, start, end)
    )
    if detail is None:
        raise NotFoundError(f"no hotel {hotel_id}")
    answer = hotel_availability(load(HotelDetail, detail), nights, start, end)
    return render(request, answer, public(read.runtime.settings.cache_max_age_seconds))
