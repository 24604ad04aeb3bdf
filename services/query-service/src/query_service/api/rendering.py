"""JSON answers with an ETag (304 on If-None-Match), Cache-Control and the freshness headers."""

from __future__ import annotations

from fastapi import Request, Response
from pydantic import BaseModel
from starlette.types import Scope

from query_service.bodies import etag_of
from query_service.consistency import Freshness

PRIVATE = "private, no-cache"
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


def freshness_headers(request: Request) -> dict[str, str]:
    """`X-Read-Model-Position` and `X-Consistency` of the answer, once the request was made fresh."""
    # In the request's own scope: `request.state` may be shared with lifespan state by some servers.
    freshness: Freshness | None = request.scope.get(FRESHNESS_SCOPE_KEY)
    if freshness is None:
        return {}
    headers = {
        "X-Read-Model-Position": str(freshness.position),
        "X-Consistency": freshness.consistency,
    }
    if freshness.consistency != "eventual":
        headers["X-Consistency-Waited-Ms"] = str(round(freshness.waited_seconds * 1000))
    return headers


def public(max_age: int) -> str:
    return f"public, max-age={max_age}" if max_age else "public, no-cache"


def render(request: Request, answer: BaseModel | bytes, cache_control: str) -> Response:
    """The model (or JSON body) as JSON, or an empty 304 when the client's validator still matches."""
    body = answer if isinstance(answer, bytes) else answer.model_dump_json().encode()
    etag = etag_of(body)
    headers = freshness_headers(request)
    stale = headers.get("X-Consistency") == "stale"
    headers |= {
        "ETag": etag,
        "Cache-Control": "no-store" if stale else cache_control,
        "Vary": "X-Consistency-Token",
    }
    if etag_matches(request_header(request.scope, b"if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list (or `*`) against our strong ETag."""
    if not if_none_match:
        return False
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in candidates or any(tag.removeprefix("W/") == etag for tag in candidates)
