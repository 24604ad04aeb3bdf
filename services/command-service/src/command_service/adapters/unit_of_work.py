"""The PostgreSQL unit of work: one connection, one transaction, events and outbox at the end."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from command_service.adapters.booking_repository import PostgresBookings
from command_service.adapters.event_log import EventAppend, EventRecorder
from command_service.adapters.eventless_answer import EventlessAnswer
from command_service.adapters.final_statement import FinalStatement
from command_service.adapters.guest_keys import GuestKeyring, PostgresGuestKeys
from command_service.adapters.hotel_repository import PostgresHotels
from command_service.adapters.pg_errors import RETRYABLE_ERRORS, as_unavailable
from command_service.adapters.room_inventory import PostgresRoomInventory
from command_service.adapters.room_type_cache import RoomTypeCache
from command_service.adapters.transaction import Transaction
from command_service.application.ports import Committed, IdempotencyKeyTakenError, RetryableConflictError
from command_service.application.requests import CommandRequest
from command_service.domain.clock import Clock
from command_service.domain.errors import VersionConflictError
from innkeeper_kit import failpoints
from innkeeper_kit.tracing import current_traceparent


class PostgresUnitOfWork:
    """Rolls back on exit unless `commit()` ran; maps database failures to errors.

    The transaction begins with the first statement, so a command whose writes all go into the final
    one (`final_statement`) runs a single statement."""

    def __init__(self, opened_by: PostgresUnitOfWorkFactory, request: CommandRequest) -> None:
        self._shared, self._request = opened_by, request  # what every unit of work shares
        self._connection: PoolConnectionProxy[asyncpg.Record] | None = None
        self._recorder = EventRecorder()
        self._committed = False

    async def __aenter__(self) -> Self:
        shared = self._shared
        try:
            self._connection = connection = await shared.pool.acquire(timeout=shared.acquire_timeout)
        except Exception as error:
            _translate(error)
            raise
        self._transaction = transaction = Transaction(connection, may_run_alone=self._request.retry_safe)
        self._final = final = FinalStatement(transaction)
        self.hotels = PostgresHotels(transaction, final, self._recorder, shared.room_types)
        self.inventory = PostgresRoomInventory(transaction, final, shared.room_types)
        self.guest_keys = guest_keys = PostgresGuestKeys(transaction, shared.keyring)
        self.bookings = PostgresBookings(transaction, final, self._recorder, guest_keys)
        return self

    async def commit(self) -> Committed:
        if (keys := self.guest_keys.final_write()) is not None:  # after the writes naming the keys
            self._final.add(keys)
        append: EventAppend | EventlessAnswer
        if self._recorder.pending:
            # The request's span (HTTP server or AMQP consumer) is current: its events continue its trace.
            now, traceparent = self._shared.clock.now(), current_traceparent()
            append = EventAppend(self._recorder.pending, self._request, now, traceparent)
        else:  # a command that changed no aggregate (`eventless_answer`)
            append = EventlessAnswer(self._request)
        committed = await self._final.commit(append)
        self._committed = True
        self.guest_keys.committed()
        return committed

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._committed and self._connection is not None:
            with contextlib.suppress(Exception):
                await self._transaction.roll_back()
        await self._release()
        if self._committed:  # the connection is back in the pool for the relay's round
            self._shared.committed()
            failpoints.reach(failpoints.COMMAND_AFTER_APPEND_BEFORE_ANSWER)
        if exc is not None:
            _translate(exc)

    async def _release(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(Exception):
                await self._shared.pool.release(connection)


def _translate(error: BaseException) -> None:
    """Raise the application's view of a database failure (or nothing: the error stands)."""
    if (unavailable := as_unavailable(error)) is not None:
        raise unavailable from error
    if isinstance(error, RETRYABLE_ERRORS):
        raise RetryableConflictError(str(error)) from error
    if isinstance(error, asyncpg.UniqueViolationError):
        if error.constraint_name == "idempotency_keys_pkey":
            raise IdempotencyKeyTakenError(str(error)) from error
        if error.constraint_name == "events_aggregate_id_aggregate_version_key":
            raise VersionConflictError("the aggregate changed since it was read; retry") from error


async def end_session_use(connection: asyncpg.Connection[asyncpg.Record]) -> None:
    """Pool `reset`: sessions keep no state, so only an open transaction must go (asyncpg's default
    reset costs a round trip per release)."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


@dataclass(frozen=True)
class PostgresUnitOfWorkFactory:
    """Opens a PostgresUnitOfWork on the shared pool (and the shared room type cache and guests' keys);
    `committed` is called after each commit (the outbox relay's `wake`); no command waits longer than
    `acquire_timeout` for a connection."""

    pool: asyncpg.Pool
    clock: Clock
    room_types: RoomTypeCache
    keyring: GuestKeyring
    committed: Callable[[], None] = lambda: None
    acquire_timeout: float | None = None

    def __call__(self, request: CommandRequest) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self, request)
