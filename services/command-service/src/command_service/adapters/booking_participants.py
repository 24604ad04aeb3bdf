"""Who a booking belongs to, for the access policy: read on the pool, outside the command's transaction
(a booking's hotel and guest never change, so the answer cannot go stale before the command commits)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from command_service.adapters.pg_errors import CONNECTION_ERRORS
from command_service.application.access import BookingParties
from command_service.application.ports import ServiceUnavailableError


class PostgresBookingParticipants:
    """BookingParticipants over the bookings table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def of(self, booking_id: UUID) -> BookingParties | None:
        try:
            row = await self._pool.fetchrow(
                "SELECT hotel_id, guest_id FROM bookings WHERE booking_id = $1", booking_id
            )
        except CONNECTION_ERRORS as error:
            raise ServiceUnavailableError("PostgreSQL is unavailable") from error
        return None if row is None else BookingParties(row["hotel_id"], row["guest_id"])
