"""RFC 9457 problem answers that any of the services may give before its own routes run (auth)."""

from __future__ import annotations

import orjson
import structlog
from starlette.types import Send

PROBLEM_JSON = "application/problem+json"


def problem_body(status: int, kind: str, title: str, detail: str) -> bytes:
    """A problem document with the request's correlation id (bound to the log context by then)."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    problem = {"status": status, "type": kind, "title": title, "detail": detail}
    return orjson.dumps({**problem, "correlation_id": correlation_id})


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
