"""The query service over HTTP: one method per route, each answering the contracts' read documents.

Read-your-writes: pass the answer of a command (or its `consistency_token`) as `after=`; it travels as
`X-Consistency-Token` and the service waits (bounded) until the read model holds that write. When the
service's wait runs out it answers with what it has, marked `X-Consistency: stale`; the client then asks
again while its retry attempts last, and returns the last answer."""

from __future__ import annotations

from datetime import date
from typing import Literal, TypeVar
from uuid import UUID

import httpx
from pydantic import BaseModel

from innkeeper_contracts import CommandAccepted
from innkeeper_contracts.documents import (
    AlertPage,
    BookingDetail,
    BookingPage,
    HotelAvailability,
    HotelDetail,
    HotelPage,
)

from .calling import Caller, RetryPolicy, unavailable

TOKEN_HEADER = "X-Consistency-Token"
HotelSort = Literal["price", "-price", "stars", "-stars"]
After = CommandAccepted | str | None
"""A command's answer, or its consistency token, or None (no wait)."""
AnswerT = TypeVar("AnswerT", bound=BaseModel)


def _stale_or_unavailable(answer: httpx.Response) -> bool:
    return unavailable(answer) or answer.headers.get("X-Consistency") == "stale"


class QueryClient:
    """Queries over HTTP, on the query service at the `httpx.AsyncClient`'s base URL."""

    def __init__(self, http: httpx.AsyncClient, retry: RetryPolicy | None = None) -> None:
        self._query_caller = Caller(http, retry or RetryPolicy())

    async def get(
        self,
        path: str,
        model: type[AnswerT],
        *,
        params: dict[str, str | int | None] | None = None,
        after: After = None,
        correlation_id: str | None = None,
    ) -> AnswerT:
        """GET one route and read its answer as `model`."""
        token = after.consistency_token if isinstance(after, CommandAccepted) else after
        answer = await self._query_caller.call(
            "GET",
            path,
            params={key: value for key, value in (params or {}).items() if value is not None},
            headers={TOKEN_HEADER: token} if token else None,
            correlation_id=correlation_id,
            again=_stale_or_unavailable if token else unavailable,
        )
        return model.model_validate_json(answer.content)

    async def search_hotels(
        self,
        *,
        city: str | None = None,
        check_in: date | None = None,
        check_out: date | None = None,
        guests: int | None = None,
        min_stars: int | None = None,
        sort: HotelSort = "price",
        cursor: str | None = None,
        limit: int | None = None,
        after: After = None,
    ) -> HotelPage:
        """Hotels that match (with dates: a room type free for the whole stay), one page."""
        params: dict[str, str | int | None] = {
            "city": city,
            "check_in": check_in.isoformat() if check_in else None,
            "check_out": check_out.isoformat() if check_out else None,
            "guests": guests,
            "min_stars": min_stars,
            "sort": sort,
            "cursor": cursor,
            "limit": limit,
        }
        return await self.get("/hotels", HotelPage, params=params, after=after)

    async def get_hotel(self, hotel_id: UUID | str, *, after: After = None) -> HotelDetail:
        """The hotel page: room types, capacities and rates (NotFoundError when unknown)."""
        return await self.get(f"/hotels/{hotel_id}", HotelDetail, after=after)

    async def get_hotel_availability(
        self, hotel_id: UUID | str, check_in: date, check_out: date, *, after: After = None
    ) -> HotelAvailability:
        """Booked and free rooms per night and room type, for the nights from check-in to check-out."""
        params: dict[str, str | int | None] = {
            "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(),
        }
        return await self.get(
            f"/hotels/{hotel_id}/availability", HotelAvailability, params=params, after=after
        )

    async def get_booking(self, booking_id: UUID | str, *, after: After = None) -> BookingDetail:
        """One booking (a guest sees only their own: another's is a NotFoundError)."""
        return await self.get(f"/bookings/{booking_id}", BookingDetail, after=after)

    async def list_guest_bookings(
        self, guest_id: str, *, cursor: str | None = None, limit: int | None = None, after: After = None
    ) -> BookingPage:
        """A guest's bookings by check-in date, one page."""
        params: dict[str, str | int | None] = {"cursor": cursor, "limit": limit}
        return await self.get(f"/guests/{guest_id}/bookings", BookingPage, params=params, after=after)

    async def list_management_alerts(
        self, *, cursor: str | None = None, limit: int | None = None, after: After = None
    ) -> AlertPage:
        """The management alert feed (the caller's hotels), newest first, one page."""
        params: dict[str, str | int | None] = {"cursor": cursor, "limit": limit}
        return await self.get("/management/alerts", AlertPage, params=params, after=after)
