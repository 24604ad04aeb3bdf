"""The OpenAPI document says what the HTTP edge does to every request, from the same settings the
middleware uses: the correlation id in and out, 408 for a body too slow and 413 for one too large (on
every operation: any request's body is read and bounded, a GET's too), 500 on an unexpected error,
`Retry-After` on every 503, and problem bodies under `application/problem+json`.

A 405 with `Allow` answers a method that is not an operation of the path, so no operation can declare
it: the description says so. So does it for the 503 uvicorn gives itself past `HTTP_MAX_CONCURRENCY`
(plain text, no `Retry-After`, before the app sees the request).

FastAPI documents a response `model` under the route's media type (`application/json`); a response that
declares `application/problem+json` gets that schema moved there, so the document names the content type
the answer really has. Install after `document_bearer_auth`, so its answers are covered too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from innkeeper_kit.identifiers import CORRELATION_HEADER, ID_MAX_LENGTH, ID_PATTERN
from innkeeper_kit.problems import HTTP_PROBLEM_SCHEMA, PROBLEM_JSON
from innkeeper_kit.settings import ServiceSettings

JSON = "application/json"
EDGE_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/HttpProblem"}}}
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
    """Wrap `app.openapi` to add the edge's parameters, answers and headers to every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        info = schema.setdefault("info", {})
        info["description"] = f"{info.get('description', '')}\n\n{edge_note(settings)}".strip()
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["HttpProblem"] = HTTP_PROBLEM_SCHEMA
        components.setdefault("headers", {}).update(HEADERS)
        components.setdefault("parameters", {})[CORRELATION_HEADER] = CORRELATION_PARAMETER
        answers = edge_answers(settings)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document(operation, answers)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(operation: dict[str, Any], answers: dict[str, dict[str, Any]]) -> None:
    operation.setdefault("parameters", []).append({"$ref": f"#/components/parameters/{CORRELATION_HEADER}"})
    responses = operation.setdefault("responses", {})
    for status, answer in answers.items():
        responses.setdefault(status, dict(answer))
    for status, response in responses.items():
        content = response.get("content", {})
        if PROBLEM_JSON in content and JSON in content:
            content[PROBLEM_JSON] = content.pop(JSON) | content[PROBLEM_JSON]
        headers = response.setdefault("headers", {})
        headers[CORRELATION_HEADER] = _CORRELATION_REF
        if status == "503":
            headers["Retry-After"] = _RETRY_REF
