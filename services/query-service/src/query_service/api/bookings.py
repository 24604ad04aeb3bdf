"""Booking routes: one booking, a guest's bookings, and the management alert feed."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from innkeeper_contracts.documents import AlertPage, BookingDetail, BookingPage, ManagementAlert
from innkeeper_contracts.values import GUEST_ID_PATTERN
from innkeeper_kit.auth.middleware import principal_of
from innkeeper_kit.edge_openapi import operation_id
from query_service.access import alerts_scope, check_booking, guest_bookings_scope
from query_service.errors import NotFoundError

from . import examples
from .context import read_context, read_route
from .params import NOT_FOUND, PROBLEMS, CursorParam, LimitParam
from .rendering import PRIVATE, render

router = APIRouter(generate_unique_id_function=operation_id)
BookingId = Annotated[UUID, Path(description="The booking's id.", examples=[str(examples.BOOKING_ID)])]
GuestId = Annotated[str, Path(pattern=GUEST_ID_PATTERN, examples=[examples.GUEST_ID])]


@read_route(
    router,
    "/bookings/{booking_id}",
    "Get a booking",
    BookingDetail,
    NOT_FOUND,
    examples.BOOKING,
    tags=["bookings"],
)
async def get_booking(request: Request, booking_id: BookingId) -> Response:
    """One booking: stay, guest, price, status and refund.

    **Who may call:** the booking's guest (another guest's booking answers 404), staff of its hotel, an
    admin."""
    read = read_context(request)
    document = await read.document("booking", booking_id)
    if document is None:
        raise NotFoundError(f"no booking {booking_id}")
    check_booking(principal_of(request.scope), document)
    return render(request, read.body_cache.tagged(BookingDetail, document), PRIVATE)


@read_route(
    router,
    "/guests/{guest_id}/bookings",
    "List a guest's bookings",
    BookingPage,
    PROBLEMS,
    examples.GUEST_BOOKINGS,
    tags=["bookings"],
)
async def list_guest_bookings(
    request: Request, guest_id: GuestId, cursor: CursorParam = None, limit: LimitParam = 20
) -> Response:
    """A guest's bookings (active and cancelled) by check-in date; empty for a guest without any.

    **Who may call:** the guest themself, staff (the bookings at their hotels), an admin."""
    hotels = guest_bookings_scope(principal_of(request.scope), guest_id)
    read = read_context(request)
    page = await read.page(
        BookingDetail,
        {"guest_id": guest_id, **hotels.fingerprint_fields()},
        cursor,
        lambda after: read.read_model.guest_bookings(guest_id, hotels, after, limit),
    )
    return render(request, page, PRIVATE)


@read_route(
    router,
    "/management/alerts",
    "List management alerts",
    AlertPage,
    PROBLEMS,
    examples.ALERTS,
    tags=["management"],
)
async def list_management_alerts(
    request: Request, cursor: CursorParam = None, limit: LimitParam = 20
) -> Response:
    """The management alert feed (late and high-value cancellations), newest first.

    **Who may call:** staff (the alerts of their hotels), an admin."""
    hotels = alerts_scope(principal_of(request.scope))
    read = read_context(request)
    page = await read.page(
        ManagementAlert,
        {"feed": "alerts", **hotels.fingerprint_fields()},
        cursor,
        lambda after: read.read_model.alerts(hotels, after, limit),
    )
    return render(request, page, PRIVATE)
