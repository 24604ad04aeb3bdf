"""Booking routes: one booking, a guest's bookings, and the management alert feed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from innkeeper_contracts.documents import BOOKINGS, MANAGEMENT_ALERTS, BookingDetail, ManagementAlert
from innkeeper_contracts.values import GUEST_ID_PATTERN
from innkeeper_kit.auth.middleware import principal_of
from query_service.access import alerts_scope, check_booking, guest_bookings_scope
from query_service.cursor import decode_cursor, encode_cursor, fingerprint
from query_service.errors import NotFoundError
from query_service.filters import ALERTS_ORDER, GUEST_BOOKINGS_ORDER
from query_service.models import AlertPage, BookingPage

from .context import TOKEN_DOC, read_context
from .params import NOT_FOUND, PROBLEMS, CursorParam, LimitParam
from .rendering import PRIVATE, render

router = APIRouter()


@router.get(
    "/bookings/{booking_id}",
    response_model=BookingDetail,
    responses=NOT_FOUND,
    tags=["bookings"],
    openapi_extra=TOKEN_DOC,
)
async def booking(request: Request, booking_id: UUID) -> Response:
    """One booking: stay, guest, price, status and refund.

    **Who may call:** the booking's guest (another guest's booking answers 404), staff of its hotel, an
    admin."""
    read = read_context(request)
    await read.fresh()
    document = await read.read_model.find_one(BOOKINGS, str(booking_id))
    if document is None:
        raise NotFoundError(f"no booking {booking_id}")
    check_booking(principal_of(request.scope), document)
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
    """A guest's bookings (active and cancelled) by check-in date; empty for a guest without any.

    **Who may call:** the guest themself, staff (the bookings at their hotels), an admin."""
    scope = guest_bookings_scope(principal_of(request.scope), guest_id)
    read = read_context(request)
    query_id = fingerprint({"guest_id": guest_id, **scope})
    after = decode_cursor(cursor, query_id) if cursor is not None else None
    await read.fresh()
    query = {"guest.guest_id": guest_id, **scope}
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
    """The management alert feed (late and high-value cancellations), newest first.

    **Who may call:** staff (the alerts of their hotels), an admin."""
    scope = alerts_scope(principal_of(request.scope))
    read = read_context(request)
    query_id = fingerprint({"feed": "alerts", **scope})
    after = decode_cursor(cursor, query_id) if cursor is not None else None
    await read.fresh()
    rows, more = await read.read_model.find_page(MANAGEMENT_ALERTS, scope, ALERTS_ORDER, after, limit)
    next_cursor = encode_cursor(ALERTS_ORDER.position_of(rows[-1]), query_id) if more else None
    return render(request, read.bodies.page(ManagementAlert, rows, next_cursor), PRIVATE)
