"""The command endpoints, each answered 202 (the operational ones: `operations`): a POST for each command,
except the one that sets a whole value, which is a PUT (sending it twice leaves the same contact).

Each route's name is its command's (metrics and logs say `BookStay`); its operation id is that name in
camelCase (`bookStay`, `innkeeper_kit.edge_openapi.operation_id`). The 202 names what was made or changed
(`booking_id`, `hotel_id`) and points at it in the query service (`Location`)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Request
from fastapi.responses import Response

from command_service.application.ports import ServiceUnavailableError
from command_service.application.rejections import unavailable
from command_service.application.requests import CommandRequest
from command_service.http.examples import BOOKING_ID, HOTEL_ID, REQUESTS, accepted, rejected
from command_service.http.locations import LOCATION_HEADER
from command_service.http.problems import correlation_id, outcome_response
from command_service.runtime import Runtime
from innkeeper_contracts import (
    BookStay,
    CancelBooking,
    CancelBookingBody,
    ChangeRoomCapacity,
    ChangeRoomCapacityBody,
    CommandAccepted,
    Contract,
    Problem,
    RegisterHotel,
    SetManagementContact,
    SetManagementContactBody,
    SetNightlyRate,
    SetNightlyRateBody,
)
from innkeeper_contracts.values import ROOM_TYPE_CODE_PATTERN
from innkeeper_kit.auth.middleware import principal_of
from innkeeper_kit.edge_openapi import operation_id
from innkeeper_kit.identifiers import ID_MAX_LENGTH, ID_PATTERN
from innkeeper_kit.problems import PROBLEM_JSON

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=ID_PATTERN,
        max_length=ID_MAX_LENGTH,
        description="Makes a retry safe: a retry with the same key and body is not applied twice. A value "
        "outside the pattern is refused (422 naming the header).",
    ),
]
HotelId = Annotated[UUID, Path(description="The hotel's id.", examples=[HOTEL_ID])]
BookingId = Annotated[UUID, Path(description="The booking's id.", examples=[BOOKING_ID])]
RoomTypeCodePath = Annotated[
    str, Path(pattern=ROOM_TYPE_CODE_PATTERN, description="Room type code.", examples=["DBL"])
]

_problem = {"model": Problem, "content": {PROBLEM_JSON: {}}}
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {**_problem, "description": "Body is not JSON (or cannot be read)"},
    404: {**_problem, "description": "Unknown hotel, room type or booking"},
    409: {**_problem, "description": "Business rule broken or concurrent change"},
    422: {
        **_problem,
        "description": "Invalid command or `Idempotency-Key` (field-level errors), or the key reused",
    },
    503: {
        **_problem,
        "description": "PostgreSQL unreachable or too slow (a statement or lock wait over its bound, no "
        "pooled connection free in time); retry with the same `Idempotency-Key`",
    },
}

commands = APIRouter(responses=COMMAND_RESPONSES, generate_unique_id_function=operation_id)


def answers(command: str, path: str) -> dict[int | str, dict[str, Any]]:
    """The 202 (with its `Location`) and a 409 of `command`, with examples."""
    booking = path.startswith("/bookings")
    return {
        202: {
            "description": "Accepted: the events are committed and will be published",
            "headers": {"Location": LOCATION_HEADER},
            "content": {"application/json": {"example": accepted(command, booking=booking)}},
        },
        409: {**COMMAND_RESPONSES[409], "content": {PROBLEM_JSON: {"example": rejected(command, path)}}},
    }


def example_body(command: str) -> Any:
    """`Body()` with the command's request examples."""
    return Body(openapi_examples=REQUESTS[command])


async def send(request: Request, command: Contract, key: str | None) -> Response:
    # The runtime straight from the app state: a dependency costs a resolution pass per request.
    runtime: Runtime = request.app.state.runtime
    cid = correlation_id(request) or ""
    principal = principal_of(request.scope)
    try:
        outcome = await runtime.send(CommandRequest(command, cid, idempotency_key=key, principal=principal))
    except ServiceUnavailableError:
        outcome = unavailable(command=type(command).__name__, correlation_id=cid)
    return outcome_response(request, outcome)


@commands.post(
    "/hotels",
    name="RegisterHotel",
    summary="Register a hotel",
    tags=["hotels"],
    status_code=202,
    response_model=CommandAccepted,
    responses=answers("RegisterHotel", "/hotels"),
)
async def register_hotel(
    body: Annotated[RegisterHotel, example_body("RegisterHotel")],
    request: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Register a hotel with its room types.

    **Who may call:** an admin, or a service granted `RegisterHotel`."""
    return await send(request, body, key)


@commands.post(
    "/hotels/{hotel_id}/room-types/{code}/capacity",
    name="ChangeRoomCapacity",
    summary="Change a room type's capacity",
    tags=["hotels"],
    status_code=202,
    response_model=CommandAccepted,
    responses=answers("ChangeRoomCapacity", f"/hotels/{HOTEL_ID}/room-types/DBL/capacity"),
)
async def change_room_capacity(
    hotel_id: HotelId,
    code: RoomTypeCodePath,
    body: Annotated[ChangeRoomCapacityBody, example_body("ChangeRoomCapacity")],
    request: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Set how many rooms of a type the hotel has (never below what is booked).

    **Who may call:** staff of the hotel, an admin, or a service granted `ChangeRoomCapacity`."""
    command = ChangeRoomCapacity(hotel_id=hotel_id, room_type=code, capacity=body.capacity)
    return await send(request, command, key)


@commands.post(
    "/hotels/{hotel_id}/room-types/{code}/rate",
    name="SetNightlyRate",
    summary="Set a room type's nightly rate",
    tags=["hotels"],
    status_code=202,
    response_model=CommandAccepted,
    responses=answers("SetNightlyRate", f"/hotels/{HOTEL_ID}/room-types/DBL/rate"),
)
async def set_nightly_rate(
    hotel_id: HotelId,
    code: RoomTypeCodePath,
    body: Annotated[SetNightlyRateBody, example_body("SetNightlyRate")],
    request: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Set the nightly rate of a room type for new bookings.

    **Who may call:** staff of the hotel, an admin, or a service granted `SetNightlyRate`."""
    command = SetNightlyRate(hotel_id=hotel_id, room_type=code, nightly_rate=body.nightly_rate)
    return await send(request, command, key)


@commands.put(
    "/hotels/{hotel_id}/management-contact",
    name="SetManagementContact",
    summary="Set the hotel's management contact",
    tags=["hotels"],
    status_code=202,
    response_model=CommandAccepted,
    responses=answers("SetManagementContact", f"/hotels/{HOTEL_ID}/management-contact"),
)
async def set_management_contact(
    hotel_id: HotelId,
    body: Annotated[SetManagementContactBody, example_body("SetManagementContact")],
    request: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Send the hotel's management alerts (late or high-value cancellations) to this address.

    **Who may call:** staff of the hotel, an admin, or a service granted `SetManagementContact`."""
    return await send(request, SetManagementContact(hotel_id=hotel_id, email=body.email), key)


@commands.post(
    "/bookings",
    name="BookStay",
    summary="Book a stay",
    tags=["bookings"],
    status_code=202,
    response_model=CommandAccepted,
    responses=answers("BookStay", "/bookings"),
)
async def book_stay(
    body: Annotated[BookStay, example_body("BookStay")], request: Request, key: IdempotencyKey = None
) -> Response:
    """Book a room for every night of a stay.

    **Who may call:** a guest for themself (`guest.guest_id` is their token's subject, filled in when
    left out), staff of the hotel, an admin, or a service granted `BookStay`; the others name the guest's
    id."""
    return await send(request, body, key)


@commands.post(
    "/bookings/{booking_id}/cancel",
    name="CancelBooking",
    summary="Cancel a booking",
    tags=["bookings"],
    status_code=202,
    response_model=CommandAccepted,
    responses=answers("CancelBooking", f"/bookings/{BOOKING_ID}/cancel"),
)
async def cancel_booking(
    booking_id: BookingId,
    body: Annotated[CancelBookingBody, example_body("CancelBooking")],
    request: Request,
    key: IdempotencyKey = None,
) -> Response:
    """Cancel an active booking: refund by policy, notify the guest, alert management if it matters.

    **Who may call:** the booking's guest (another guest's booking answers 404), staff of its hotel, an
    admin, or a service granted `CancelBooking`."""
    return await send(request, CancelBooking(booking_id=booking_id, reason=body.reason), key)
