"""RFC 9457 problem answers that any of the services gives at its HTTP edge, before or around its own
routes: authentication (401/403), keys unavailable (503), a path (404) or a method (405) it does not
have, a body that does not arrive in time (408) or is over the limit (413), and an unexpected error
(500). The services' own problems (a command's rejection, a query's invalid parameter) have their own
models with the same core fields."""

from __future__ import annotations

from typing import Any

import orjson
import structlog
from starlette.responses import Response
from starlette.types import Send

PROBLEM_JSON = "application/problem+json"
EDGE_KINDS = (
    "unauthenticated",
    "forbidden",
    "unavailable",
    "not-found",
    "method-not-allowed",
    "request-timeout",
    "too-large",
    "internal",
)
"""The `type`s of the answers this kit gives (the schema below lists them for the OpenAPI)."""
RETRY_AFTER_SECONDS = 1
"""`Retry-After` of a 503 whose cause is usually brief (a database failing over, a pool exhausted)."""

HTTP_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "HttpProblem",
    "type": "object",
    "description": "RFC 9457 problem details of an answer the HTTP edge gives alike in every service: a "
    "method the path does not have, a body too slow or over the limit, an unexpected error, no keys to "
    "check a token.",
    "required": ["status", "type", "title", "detail"],
    "properties": {
        "status": {"type": "integer", "examples": [405]},
        "type": {"type": "string", "enum": list(EDGE_KINDS)},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "correlation_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
}


def problem_body(status: int, kind: str, title: str, detail: str) -> bytes:
    """A problem document with the request's correlation id (bound to the log context by then)."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    problem = {"status": status, "type": kind, "title": title, "detail": detail}
    return orjson.dumps({**problem, "correlation_id": correlation_id})


def problem_response(
    status: int, kind: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """The same answer as a Starlette response, for exception handlers."""
    body = problem_body(status, kind, title, detail)
    response = Response(body, status, headers=headers, media_type=PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


async def send_problem(
    send: Send, status: int, kind: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> None:
    """Answer a raw ASGI request with a problem (the connection stays usable: the body is complete)."""
    body = problem_body(status, kind, title, detail)
    raw_headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        # Header values are ours, but say so in bytes that cannot break the answer whatever they hold.
        *(
            (name.lower().encode(), value.encode("latin-1", "replace"))
            for name, value in (headers or {}).items()
        ),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
