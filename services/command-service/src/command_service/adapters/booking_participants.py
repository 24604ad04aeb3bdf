"""Who a booking belongs to, for the access policy: read on the pool, outside the command's transaction
(a booking's hotel and guest never change, so the answer cannot go stale before the command commits)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from command_service.adapters.pg_errors import unavailable_on_failure
from command_service.application.access import BookingParties


class PostgresBookingParticipants:
    """BookingParticipants over the bookings table."""

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float | None = None) -> None:
        self._pool, self._acquire_timeout = pool, acquire_timeout

    async def of(self, booking_id: UUID) -> BookingParties | None:
        with unavailable_on_failure():
            async with self._pool.acquire(timeout=self._acquire_timeout) as connection:
                row = await connection.fetchrow(
                    "SELECT hotel_id, guest_id FROM bookings WHERE booking_id = $1", booking_id
                )
        return None if row is None else BookingParties(row["hotel_id"], row["guest_id"])
