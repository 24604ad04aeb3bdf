"""The OpenAPI document says what the HTTP edge does to every request, from the same settings the
middleware uses: the correlation id in and out, 408 for a body too slow and 413 for one too large (on
every operation: any request's body is read and bounded, a GET's too), 500 on an unexpected error,
`Retry-After` on every 503, and problem bodies under `application/problem+json`.

A 405 with `Allow` answers a method that is not an operation of the path, so no operation can declare
it: the description says so. So does it for the 503 uvicorn gives itself past `HTTP_MAX_CONCURRENCY`
(plain text, no `Retry-After`, before the app sees the request).

FastAPI documents a response `model` under the route's media type (`application/json`); a response that
declares `application/problem+json` gets that schema moved there, so the document names the content type
the answer really has; an error answer that declares no body gets the `Problem` schema. Install after
`document_bearer_auth`, so its answers are covered too.

Every service names its operations alike (`operation_id`: camelCase of the route's name) and lists the
addresses it is reached at locally (`local_servers`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from innkeeper_kit.identifiers import CORRELATION_HEADER, ID_MAX_LENGTH, ID_PATTERN
from innkeeper_kit.openapi_document import PROBLEM_REF, add_problem_schemas, amend_openapi
from innkeeper_kit.problems import PROBLEM_JSON
from innkeeper_kit.settings import ServiceSettings

JSON = "application/json"
EDGE_PROBLEM = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
_CORRELATION_REF = {"$ref": f"#/components/headers/{CORRELATION_HEADER}"}
_RETRY_REF = {"$ref": "#/components/headers/Retry-After"}
HEADERS: dict[str, Any] = {
    CORRELATION_HEADER: {
        "description": "This request's id in every log line about it: the caller's own when it matches "
        "the pattern, else a fresh one. Quote it when reporting a problem.",
        "required": True,
        "schema": {"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again (RFC 9110).",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    },
}
CORRELATION_PARAMETER: dict[str, Any] = {
    "name": CORRELATION_HEADER,
    "in": "header",
    "required": False,
    "description": f"Your id for this request, kept when it matches `{ID_PATTERN}`; any other value is "
    "replaced by a fresh id (never refused). The answer's `X-Correlation-Id` says which was used.",
    "schema": {"type": "string"},
}


def operation_id(route: APIRoute) -> str:
    """The operation id of a route: its name in camelCase (`BookStay`, `book_stay` → `bookStay`), stable
    whatever its path or method, for client generators (FastAPI's `generate_unique_id_function`)."""
    head, *rest = route.name.split("_")
    return head[:1].lower() + head[1:] + "".join(part[:1].upper() + part[1:] for part in rest)


def local_servers(port: int, run_setting: str, compose_setting: str) -> list[dict[str, Any]]:
    """The addresses of a service on a development machine: `make run` (the service itself) and
    `docker compose` (the nginx front door publishes each service on its own port)."""
    return [
        {
            "url": f"http://127.0.0.1:{port}",
            "description": f"`make run`: the service itself (its port: `{run_setting}`)",
        },
        {
            "url": f"http://localhost:{port}",
            "description": f"`docker compose up`: the front door (nginx; its port: `{compose_setting}`)",
        },
    ]


def edge_note(settings: ServiceSettings) -> str:
    """What the edge does that no operation can declare, for the document's description."""
    return (
        "Every refusal is `application/problem+json` and every answer carries `X-Correlation-Id`. A method "
        "a path does not have answers 405 with `Allow`; a 503 says in `Retry-After` when to try again. "
        f"At {settings.http_max_concurrency} open connections or requests in flight (`HTTP_MAX_CONCURRENCY`) "
        "the HTTP server itself answers a new request `503 Service Unavailable` in `text/plain`, without "
        "`Retry-After`, and closes the connection; an idle connection is closed after "
        f"{settings.http_keep_alive_seconds} s (`HTTP_KEEP_ALIVE_SECONDS`)."
    )


def edge_answers(settings: ServiceSettings) -> dict[str, dict[str, Any]]:
    """The answers the edge may give to any request, whatever its operation."""
    return {
        "408": {
            "description": f"The body did not arrive in full within {settings.request_body_timeout_seconds:g}"
            " s (REQUEST_BODY_TIMEOUT_SECONDS); the connection is closed.",
            "content": EDGE_PROBLEM,
        },
        "413": {
            "description": f"The body is over {settings.max_request_body_bytes} bytes "
            "(MAX_REQUEST_BODY_BYTES), declared or counted; any request's body counts, even where the "
            "operation takes none.",
            "content": EDGE_PROBLEM,
        },
        "500": {
            "description": "An unexpected error; the answer shows nothing of it: quote the correlation id.",
            "content": EDGE_PROBLEM,
        },
    }


def document_http_edge(app: FastAPI, settings: ServiceSettings) -> None:
    """Add the edge's parameters, answers and headers to every operation of `app`'s document."""

    def amend(schema: dict[str, Any]) -> None:
        info = schema.setdefault("info", {})
        info["description"] = f"{info.get('description', '')}\n\n{edge_note(settings)}".strip()
        components = add_problem_schemas(schema)
        components.setdefault("headers", {}).update(HEADERS)
        components.setdefault("parameters", {})[CORRELATION_HEADER] = CORRELATION_PARAMETER
        answers = edge_answers(settings)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document(operation, answers)

    amend_openapi(app, amend)


def _document(operation: dict[str, Any], answers: dict[str, dict[str, Any]]) -> None:
    operation.setdefault("parameters", []).append({"$ref": f"#/components/parameters/{CORRELATION_HEADER}"})
    responses = operation.setdefault("responses", {})
    for status, answer in answers.items():
        responses.setdefault(status, dict(answer))
    for status, response in responses.items():
        content = response.get("content", {})
        if PROBLEM_JSON in content and JSON in content:
            content[PROBLEM_JSON] = content.pop(JSON) | content[PROBLEM_JSON]
        if status[0] in "45" and not content:  # an error answer is a problem unless it says otherwise
            response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
        headers = response.setdefault("headers", {})
        headers[CORRELATION_HEADER] = _CORRELATION_REF
        if status == "503":
            headers["Retry-After"] = _RETRY_REF
