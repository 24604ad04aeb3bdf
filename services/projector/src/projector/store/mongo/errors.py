"""Which MongoDB errors are the store's trouble (a retry outlasts them) and which refuse a document."""

from __future__ import annotations

from pymongo.errors import BulkWriteError, OperationFailure, PyMongoError, WriteError

from projector.failures import Failures

DOCUMENT_ERROR_CODES = frozenset({2, 52, 55, 56, 57, 10334, 17419, 17420})
"""MongoDB write errors about the document itself: BadValue, field names it refuses (`$…`, a DBRef,
empty, dotted), BSONObjectTooLarge, and an update's or a replacement's result too large."""


def refuses_document(error: BaseException) -> bool:
    """Whether MongoDB refused a document itself (no retry can fix that)."""
    return isinstance(error, OperationFailure) and bool(_document_codes(error) & DOCUMENT_ERROR_CODES)


def _document_codes(error: OperationFailure) -> set[int]:
    if isinstance(error, BulkWriteError):
        return {int(e.get("code", 0)) for e in error.details.get("writeErrors", [])}
    return {error.code} if isinstance(error, WriteError) and error.code is not None else set()


MONGO_FAILURES = Failures((PyMongoError,), refuses_document)
"""The failure rules of a projector on MongoDB."""
