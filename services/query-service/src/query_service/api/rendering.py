"""JSON answers with an ETag (304 on If-None-Match), Cache-Control and the freshness headers."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.types import Scope

from query_service.body_cache import Tagged
from query_service.consistency import Freshness

PRIVATE = "no-store"
"""Answers that carry a guest's personal data: no cache, shared or private, keeps a copy."""
VARY = (b"vary", b"X-Consistency-Token")
FRESHNESS_SCOPE_KEY = "innkeeper.freshness"


def request_header(scope: Scope, name: bytes) -> str | None:
    """The first value of header `name` (lower case, as ASGI servers deliver names), or None.

    A scan of the raw pairs: `request.headers.get` builds a mapping and, for an absent header (the
    usual case for the token and If-None-Match), raises and catches a KeyError on the way.
    """
    for key, value in scope["headers"]:
        if key == name:
            found: str = value.decode("latin-1")
            return found
    return None


def freshness_pairs(request: Request) -> list[tuple[bytes, bytes]]:
    """`X-Read-Model-Position` and `X-Consistency` of the answer, once the request was made fresh."""
    # In the request's own scope: `request.state` may be shared with lifespan state by some servers.
    freshness: Freshness | None = request.scope.get(FRESHNESS_SCOPE_KEY)
    if freshness is None:
        return []
    pairs = [
        (b"x-read-model-position", str(freshness.position).encode()),
        (b"x-consistency", freshness.consistency.encode()),
    ]
    if freshness.consistency != "eventual":
        pairs.append((b"x-consistency-waited-ms", str(round(freshness.waited_seconds * 1000)).encode()))
    return pairs


def freshness_headers(request: Request) -> dict[str, str]:
    """The freshness headers as a mapping (for answers built elsewhere, e.g. problems)."""
    return {name.decode(): value.decode() for name, value in freshness_pairs(request)}


def public(max_age: int) -> str:
    return f"public, max-age={max_age}" if max_age else "public, no-cache"


def render(request: Request, answer: BaseModel | bytes | Tagged, cache_control: str) -> Response:
    """The model (or JSON body) as JSON, or an empty 304 when the client's validator still matches."""
    if not isinstance(answer, Tagged):
        answer = Tagged.of(answer if isinstance(answer, bytes) else answer.model_dump_json().encode())
    body, etag = answer
    headers = freshness_pairs(request)
    stale = (b"x-consistency", b"stale") in headers
    headers += [
        (b"etag", etag.encode()),
        (b"cache-control", b"no-store" if stale else cache_control.encode()),
        VARY,
    ]
    if etag_matches(request_header(request.scope, b"if-none-match"), etag):
        response = Response(status_code=304)
    else:
        response = Response(body, media_type="application/json")
    # Pairs ready-encoded after the length and type: a headers mapping would be encoded pair by pair.
    response.raw_headers += headers
    return response


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list (or `*`) against our strong ETag."""
    if not if_none_match:
        return False
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in candidates or any(tag.removeprefix("W/") == etag for tag in candidates)
