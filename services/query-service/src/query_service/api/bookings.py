"""Booking routes: one booking, a guest's bookings, and the management alert feed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from innkeeper_contracts.documents import BOOKINGS, MANAGEMENT_ALERTS, BookingDetail, ManagementAlert
from query_service.cursor import decode_cursor, encode_cursor, fingerprint
from query_service.errors import NotFoundError
from query_service.filters import ALERTS_ORDER, GUEST_BOOKINGS_ORDER
from query_service.models import AlertPage, BookingPage

from .context import TOKEN_DOC, read_context
from .params import NOT_FOUND, PROBLEMS, CursorParam, LimitParam
from .rendering import PRIVATE, render

router = APIRouter()
GUEST_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


@router.get(
    "/bookings/{booking_id}",
    response_model=BookingDetail,
    responses=NOT_FOUND,
    tags=["bookings"],
    openapi_extra=TOKEN_DOC,
)
async def booking(request: Request, booking_id: UUID) -> Response:
    """One booking: stay, guest, price, status and refund."""
    read = read_context(request)
    await read.fresh()
    document = await read.read_model.find_one(BOOKINGS, str(booking_id))
    if document is None:
        raise NotFoundError(f"no booking {booking_id}")
    return render(request, read.bodies.tagged(BookingDetail, document), PRIVATE)


@router.get(
    "/guests/{guest_id}/bookings",
    response_model=BookingPage,
    responses=PROBLEMS,
    tags=["bookings"],
    openapi_extra=TOKEN_DOC,
)
async def guest_bookings(
    request: Request,
    guest_id: Annotated[str, Path(pattern=GUEST_ID_PATTERN)],
    cursor: CursorParam = None,
    limit: LimitParam = 20,
) -> Response:
    """A guest's bookings (active and cancelled) by check-in date; empty for a guest without any."""
    read = read_context(request)
    query_id = fingerprint({"guest_id": guest_id})
    after = decode_cursor(cursor, query_id) if cursor is not None else None
    await read.fresh()
    query = {"guest.guest_id": guest_id}
    rows, more = await read.read_model.find_page(BOOKINGS, query, GUEST_BOOKINGS_ORDER, after, limit)
    next_cursor = encode_cursor(GUEST_BOOKINGS_ORDER.position_of(rows[-1]), query_id) if more else None
    return render(request, read.bodies.page(BookingDetail, rows, next_cursor), PRIVATE)


@router.get(
    "/management/alerts",
    response_model=AlertPage,
    responses=PROBLEMS,
    tags=["management"],
    openapi_extra=TOKEN_DOC,
)
async def management_alerts(request: Request, cursor: CursorParam = None, limit: LimitParam = 20) -> Response:
    """The management alert feed (late and high-value cancellations), newest first."""
    read = read_context(request)
    query_id = fingerprint({"feed": "alerts"})
    after = decode_cursor(cursor, query_id) if cursor is not None else None
    await read.fresh()
    rows, more = await read.read_model.find_page(MANAGEMENT_ALERTS, {}, ALERTS_ORDER, after, limit)
    next_cursor = encode_cursor(ALERTS_ORDER.position_of(rows[-1]), query_id) if more else None
    return render(request, read.bodies.page(ManagementAlert, rows, next_cursor), PRIVATE)
