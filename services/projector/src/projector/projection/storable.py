"""Whether MongoDB can hold a document: at most its BSON size limit, integers of at most 8 bytes.

Checked for every document an event changes, before anything is written: a document the store would
refuse parks its event, instead of failing the save of its whole batch on every retry. The answer
depends only on the event and the documents before it, so a rebuild (replayed in other batches)
refuses the same events.
"""

from __future__ import annotations

import bson
import orjson
from bson.errors import InvalidDocument

from .view import Doc

MONGODB_MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""MongoDB's `maxBsonObjectSize`."""
STORE_FIELDS_BYTES = 64
"""Room for the fields the store adds to a document (its `_rev` revision takes 15 bytes)."""
BSON_PER_JSON_BYTE = 8
"""A document's BSON takes at most ~6.5 times the bytes of its compact JSON (the worst case: a long
list of small integers, each with its index as key). Below a limit / 8 of JSON it cannot be too large,
and the exact BSON size, about five times slower to compute, is spared."""
MAX_INT64 = 2**63 - 1


def unstorable(document: Doc, limit: int) -> str | None:
    """Why MongoDB would refuse `document` under a size `limit` (bytes), or None when it fits: "document
    too large: <size> bytes (limit <limit>)" or "not storable: <why>"."""
    try:
        if len(orjson.dumps(document)) * BSON_PER_JSON_BYTE + STORE_FIELDS_BYTES <= limit:
            return None
    except TypeError:  # e.g. an integer beyond 64 bits: the BSON encoder says precisely what
        pass
    try:
        size = len(bson.encode(document)) + STORE_FIELDS_BYTES
    except (InvalidDocument, OverflowError) as error:
        return f"not storable: {error}"
    return f"document too large: {size} bytes (limit {limit})" if size > limit else None
