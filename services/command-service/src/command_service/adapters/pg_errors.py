"""Which PostgreSQL failures mean "unavailable" and which mean "try the transaction again"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from command_service.application.ports import DatabaseTimeoutError, ServiceUnavailableError

Db: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
"""A connection, whether taken from the pool or opened on its own."""

CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.InterfaceError,
)
"""PostgreSQL cannot be reached, the connection broke, or no pooled connection came free within
POSTGRES_ACQUIRE_TIMEOUT (a TimeoutError): the transaction did not commit (a statement run alone may
have: only retry-safe commands run so, `transaction.py`)."""

TIMEOUT_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.QueryCanceledError,
    asyncpg.LockNotAvailableError,
)
"""PostgreSQL cancelled the statement: POSTGRES_STATEMENT_TIMEOUT or POSTGRES_LOCK_TIMEOUT passed."""

RETRYABLE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


def as_unavailable(error: BaseException) -> ServiceUnavailableError | None:
    """The application's view of a failure that is PostgreSQL's state, not the command's (else None)."""
    if isinstance(error, TIMEOUT_ERRORS):
        return DatabaseTimeoutError(f"PostgreSQL cancelled a statement: {error}; nothing was written")
    if isinstance(error, CONNECTION_ERRORS):
        return ServiceUnavailableError("PostgreSQL is unavailable; nothing was written")
    return None


@contextmanager
def unavailable_on_failure() -> Iterator[None]:
    """Around a read on the pool: an outage or a timeout becomes ServiceUnavailableError (503)."""
    try:
        yield
    except Exception as error:
        if (unavailable := as_unavailable(error)) is not None:
            raise unavailable from error
        raise
