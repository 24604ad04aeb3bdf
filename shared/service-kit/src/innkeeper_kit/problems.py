"""RFC 9457 problem answers that any of the services gives at its HTTP edge, before or around its own
routes: authentication (401/403), keys unavailable (503), a path (404) or a method (405) it does not
have, a body that does not arrive in time (408) or is over the limit (413), and an unexpected error
(500). Every answer is the system's one `Problem` (`innkeeper_contracts.problems`), whose `type` URI
names the kind and whose `instance` is the request's path; the services' own refusals are the same."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
import structlog
from fastapi.openapi.models import Schema
from starlette.responses import Response
from starlette.types import Scope, Send

from innkeeper_contracts.problems import PROBLEM_TITLES, Problem, ProblemKind, problem_type

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 1
"""`Retry-After` of a 503 whose cause is usually brief (a database failing over, a pool exhausted)."""
SCHEMA_REF = "#/components/schemas/{model}"


def problem_schemas() -> dict[str, dict[str, Any]]:
    """`Problem` and what it refers to (`FieldError`) as OpenAPI components, exactly as FastAPI renders
    them for a service that names `Problem` in its own responses (through its `Schema` model, which
    drops null defaults and writes bounds as numbers): one schema, byte for byte, in every document."""
    schema = Problem.model_json_schema(ref_template=SCHEMA_REF, mode="serialization")
    components = {"Problem": schema, **schema.pop("$defs", {})}
    return {
        name: Schema.model_validate(component).model_dump(by_alias=True, exclude_none=True)
        for name, component in components.items()
    }


def instance_of(scope: Scope) -> str:
    """A problem's `instance` over HTTP: the path the client asked for, as it was sent (percent-encoded:
    a URI reference even where the decoded path holds a space or a NUL), without the query."""
    raw: bytes | None = scope.get("raw_path")
    if raw is not None:
        return raw.decode("latin-1")
    return quote(scope.get("path", ""), safe="/:@!$&'()*+,;=-._~")


def problem_body(status: int, kind: ProblemKind, detail: str, instance: str | None) -> bytes:
    """A problem document with the request's correlation id (bound to the log context by then)."""
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    problem = {"type": problem_type(kind), "title": PROBLEM_TITLES[kind], "status": status, "detail": detail}
    return orjson.dumps({**problem, "instance": instance, "correlation_id": correlation_id})


def problem_response(
    status: int,
    kind: ProblemKind,
    detail: str,
    headers: dict[str, str] | None = None,
    *,
    instance: str | None,
) -> Response:
    """The same answer as a Starlette response, for exception handlers."""
    body = problem_body(status, kind, detail, instance)
    response = Response(body, status, headers=headers, media_type=PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


async def send_problem(
    send: Send,
    scope: Scope,
    status: int,
    kind: ProblemKind,
    detail: str,
    headers: dict[str, str] | None = None,
) -> None:
    """Answer the raw ASGI request `scope` with a problem (the connection stays usable: the body is
    complete)."""
    body = problem_body(status, kind, detail, instance_of(scope))
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
