"""Which errors of a batch a retry can outlast: the infrastructure's are retried, the rest are parked."""

from __future__ import annotations

import asyncpg
from aio_pika.exceptions import AMQPError
from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError, WriteError

DOCUMENT_ERROR_CODES = frozenset({2, 52, 55, 56, 57, 10334, 17419, 17420})
"""MongoDB write errors about the document itself: BadValue, field names it refuses (`$…`, a DBRef,
empty, dotted), BSONObjectTooLarge, and an update's or a replacement's result too large."""

INFRASTRUCTURE_ERRORS = (PyMongoError, asyncpg.PostgresError, asyncpg.InterfaceError, AMQPError, OSError)
"""What the drivers raise when a server is down, slow, restarting or refusing this process (its
permissions, a missing table), and timeouts: none of it is an event's fault, so the batch waits (and is
retried) until the operator or the network fixes it. Anything else (a document the store cannot hold,
data a projection chokes on) comes from the events: a retry cannot fix it."""


def is_infrastructure(error: BaseException) -> bool:
    """Whether a retry of the same batch can succeed once the infrastructure is back."""
    if isinstance(error, OperationFailure) and _document_codes(error) & DOCUMENT_ERROR_CODES:
        return False
    return isinstance(error, INFRASTRUCTURE_ERRORS)


def _document_codes(error: OperationFailure) -> set[int]:
    if isinstance(error, BulkWriteError):
        return {int(e.get("code", 0)) for e in error.details.get("writeErrors", [])}
    return {error.code} if isinstance(error, WriteError) and error.code is not None else set()
