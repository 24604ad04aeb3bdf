"""What a Python integrator writes first against the clients openapi-python-client generates from
docs/openapi: book a stay, then find the hotel and read the booking with read-your-writes.

`check_python_clients.py` type-checks it with the generated packages (mypy --strict), so a spec change
that renames an operation, drops a field or leaves an answer untyped fails CI, as `usage.ts` does for
TypeScript. It is never run: it needs the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from innkeeper_command_client import AuthenticatedClient
from innkeeper_command_client.api.bookings import book_stay
from innkeeper_command_client.models import BookingGuest, BookStay, CommandAccepted
from innkeeper_query_client import AuthenticatedClient as QueryClient
from innkeeper_query_client.api.bookings import get_booking
from innkeeper_query_client.api.hotels import search_hotels
from innkeeper_query_client.models import BookingDetail, HotelCard, HotelPage


@dataclass(frozen=True)
class Found:
    booking_id: UUID
    hotels: list[HotelCard]
    booking: BookingDetail


async def book_and_find(token: str, hotel_id: UUID) -> Found:
    commands = AuthenticatedClient(base_url="http://127.0.0.1:8001", token=token)
    queries = QueryClient(base_url="http://127.0.0.1:8002", token=token)  # a booking is not public
    stay = BookStay(
        hotel_id=hotel_id,
        room_type="DBL",
        guest=BookingGuest(name="Ada Lovelace", email="ada@example.org"),
        check_in=date(2030, 7, 1),
        check_out=date(2030, 7, 4),
        guests=2,
    )
    answer = await book_stay.asyncio(client=commands, body=stay, idempotency_key="partner-portal:order-42")
    if not isinstance(answer, CommandAccepted):
        raise RuntimeError(f"refused: {answer}")  # a Problem: tell it apart by its `type`
    booking_id = answer.booking_id
    if not isinstance(booking_id, UUID):
        raise RuntimeError("a booking's answer names its booking")
    token_of_write = answer.consistency_token
    page = await search_hotels.asyncio(
        client=queries,
        city="Bergen",
        check_in=stay.check_in,
        check_out=stay.check_out,
        guests=stay.guests,
        x_consistency_token=token_of_write,
    )
    if not isinstance(page, HotelPage):
        raise RuntimeError(f"search refused: {page}")
    booking = await get_booking.asyncio(
        client=queries, booking_id=booking_id, x_consistency_token=token_of_write
    )
    if not isinstance(booking, BookingDetail):
        raise RuntimeError(f"booking not readable: {booking}")
    return Found(booking_id, page.items, booking)
