"""The OpenAPI document says what the HTTP edge does to every request, from the same constants the
middleware uses: the correlation id in and out, 413 over the body limit, 500 on an unexpected error,
`Retry-After` on every 503, 405 with `Allow`, and problem bodies under `application/problem+json`.

FastAPI documents a response `model` under the route's media type (`application/json`); a response that
declares `application/problem+json` gets that schema moved there, so the document names the content type
the answer really has. Install after `document_bearer_auth`, so its answers are covered too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from innkeeper_kit.identifiers import CORRELATION_HEADER, ID_MAX_LENGTH, ID_PATTERN
from innkeeper_kit.problems import HTTP_PROBLEM_SCHEMA, PROBLEM_JSON

JSON = "application/json"
_EDGE_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/HttpProblem"}}}
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
    "Allow": {
        "description": "The methods this path answers (RFC 9110).",
        "required": True,
        "schema": {"type": "string"},
    },
}
EDGE_NOTE = (
    "Every refusal is `application/problem+json` and every answer carries `X-Correlation-Id`. A method "
    "a path does not have answers 405 with `Allow`; a 503 says in `Retry-After` when to try again."
)
CORRELATION_PARAMETER: dict[str, Any] = {
    "name": CORRELATION_HEADER,
    "in": "header",
    "required": False,
    "description": f"Your id for this request, kept when it matches `{ID_PATTERN}`; any other value is "
    "replaced by a fresh id (never refused). The answer's `X-Correlation-Id` says which was used.",
    "schema": {"type": "string"},
}


def document_http_edge(app: FastAPI, max_body_bytes: int) -> None:
    """Wrap `app.openapi` to add the edge's parameters, answers and headers to every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        info = schema.setdefault("info", {})
        info["description"] = f"{info.get('description', '')}\n\n{EDGE_NOTE}".strip()
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {})["HttpProblem"] = HTTP_PROBLEM_SCHEMA
        components.setdefault("headers", {}).update(HEADERS)
        components.setdefault("parameters", {})[CORRELATION_HEADER] = CORRELATION_PARAMETER
        components.setdefault("responses", {})["MethodNotAllowed"] = {
            "description": "The path does not answer this method; `Allow` lists those it does.",
            "headers": {
                "Allow": {"$ref": "#/components/headers/Allow"},
                CORRELATION_HEADER: _CORRELATION_REF,
            },
            "content": _EDGE_PROBLEM,
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _document(operation, max_body_bytes)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document(operation: dict[str, Any], max_body_bytes: int) -> None:
    operation.setdefault("parameters", []).append({"$ref": f"#/components/parameters/{CORRELATION_HEADER}"})
    responses = operation.setdefault("responses", {})
    if "requestBody" in operation:
        responses.setdefault(
            "413",
            {
                "description": f"The body is over {max_body_bytes} bytes (MAX_REQUEST_BODY_BYTES).",
                "content": _EDGE_PROBLEM,
            },
        )
    responses.setdefault(
        "500",
        {
            "description": "An unexpected error; the answer shows nothing of it: quote the correlation id.",
            "content": _EDGE_PROBLEM,
        },
    )
    for status, response in responses.items():
        content = response.get("content", {})
        if PROBLEM_JSON in content and JSON in content:
            content[PROBLEM_JSON] = content.pop(JSON) | content[PROBLEM_JSON]
        headers = response.setdefault("headers", {})
        headers[CORRELATION_HEADER] = _CORRELATION_REF
        if status == "503":
            headers["Retry-After"] = _RETRY_REF
