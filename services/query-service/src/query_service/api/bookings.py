"""Booking routes: one booking, a guest's bookings, and the management alert feed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from innkeeper_contracts.documents import (
    BOOKINGS,
    MANAGEMENT_ALERTS,
    AlertPage,
    BookingDetail,
    BookingPage,
    ManagementAlert,
)
from innkeeper_contracts.values import GUEST_ID_PATTERN
from innkeeper_kit.auth.middleware import principal_of
from innkeeper_kit.edge_openapi import operation_id
from query_service.access import alerts_scope, check_booking, guest_bookings_scope
from query_service.cursor import decode_cursor, encode_cursor, fingerprint
from query_service.errors import NotFoundError
from query_service.filters import ALERTS_ORDER, GUEST_BOOKINGS_ORDER

from . import examples
from .context import TOKEN_DOC, read_context
from .params import NOT_FOUND, PROBLEMS, CursorParam, LimitParam
from .rendering import PRIVATE, render

router = APIRouter(generate_unique_id_function=operation_id)


@router.get(
    "/bookings/{booking_id}",
    summary="Get a booking",
    response_model=BookingDetail,
    responses=examples.with_example(NOT_FOUND, examples.BOOKING),
    tags=["bookings"],
    openapi_extra=TOKEN_DOC,
)
async def get_booking(
    request: Request,
    booking_id: Annotated[UUID, Path(description="The booking's id.", examples=[str(examples.BOOKING_ID)])],
) -> Response:
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
    summary="List a guest's bookings",
    response_model=BookingPage,
    responses=examples.with_example(PROBLEMS, examples.GUEST_BOOKINGS),
    tags=["bookings"],
    openapi_extra=TOKEN_DOC,
)
async def list_guest_bookings(
    request: Request,
    guest_id: Annotated[str, Path(pattern=GUEST_ID_PATTERN, examples=[examples.GUEST_ID])],
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
    summary="List management alerts",
    response_model=AlertPage,
    responses=examples.with_example(PROBLEMS, examples.ALERTS),
    tags=["management"],
    openapi_extra=TOKEN_DOC,
)
async def list_management_alerts(
    request: Request, cursor: CursorParam = None, limit: LimitParam = 20
) -> Response:
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
