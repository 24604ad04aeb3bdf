"""Opaque cursors for keyset pagination: the last row's sort key and `_id`, bound to one query.

A cursor is base64url(JSON) of `{"q": <query fingerprint>, "k": <sort key>, "i": <_id>}`. The fingerprint
ties it to the filters and sort it was made for, so a cursor replayed on another query is refused (422)
instead of silently returning a page of something else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from .errors import InvalidCursorError

MAX_CURSOR_LENGTH = 1024
INT64 = range(-(2**63), 2**63)  # what MongoDB can compare; a bigger int fails in the driver (a 500)


@dataclass(frozen=True)
class Position:
    """Where a page ended: the sort key and the `_id` of its last row."""

    key: str | int
    id: str


def fingerprint(query: dict[str, Any]) -> str:
    """A short, stable digest of the parameters that define a result list."""
    canonical = json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


def encode_cursor(position: Position, query_fingerprint: str) -> str:
    payload = {"q": query_fingerprint, "k": position.key, "i": position.id}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str, query_fingerprint: str) -> Position:
    """The position in `cursor`; InvalidCursorError when it is malformed or made for another query."""
    payload = _payload(cursor)
    key, id_ = payload.get("k"), payload.get("i")
    valid_key = isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool) and key in INT64)
    if not valid_key or not isinstance(id_, str) or not isinstance(payload.get("q"), str):
        raise _invalid("cursor is malformed")
    if payload["q"] != query_fingerprint:
        raise _invalid("cursor belongs to another query (filters or sort changed)")
    return Position(key=key, id=id_)  # type: ignore[arg-type]  # narrowed above


def _payload(cursor: str) -> dict[str, Any]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise _invalid("cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _invalid("cursor is malformed") from None
    if not isinstance(payload, dict):
        raise _invalid("cursor is malformed")
    return payload


def _invalid(msg: str) -> InvalidCursorError:
    return InvalidCursorError(msg, InvalidCursorError.at(["query", "cursor"], msg).errors)
