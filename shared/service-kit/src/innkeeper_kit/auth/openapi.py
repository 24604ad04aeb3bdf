"""The OpenAPI document says what the middleware enforces: the bearer scheme, which operations need it,
and the 401/403 answers they may give (generated from the same rules, so the two cannot drift)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from innkeeper_kit.problems import PROBLEM_JSON

from .middleware import Access

SCHEME = "bearerAuth"
_PROBLEM_REF = {"$ref": "#/components/schemas/AuthProblem"}
_AUTH_PROBLEM = {
    "title": "AuthProblem",
    "type": "object",
    "description": "RFC 9457 problem details of an authentication or authorization refusal.",
    "required": ["status", "type", "title", "detail"],
    "properties": {
        "status": {"type": "integer", "examples": [401]},
        "type": {"type": "string", "enum": ["unauthenticated", "forbidden"]},
        "title": {"type": "string"},
        "detail": {"type": "string"},
        "correlation_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
    },
}
_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": (
        "An OAuth 2.0 access token (RFC 9068 JWT) from the configured issuer, signed with an asymmetric "
        "key of its JWKS. Its `roles` claim names one of guest, staff, admin, service; staff tokens name "
        "their hotels in `hotels`. Locally: `make token ROLE=admin`."
    ),
}


def document_bearer_auth(app: FastAPI, access: Callable[[str, str], Access]) -> None:
    """Add the bearer scheme and, per operation, `security` plus the 401/403 answers it may give."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})[SCHEME] = _SCHEME
        components.setdefault("schemas", {})["AuthProblem"] = _AUTH_PROBLEM
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _secure(operation, access(method.upper(), path))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _secure(operation: dict[str, Any], access: Access) -> None:
    if access == "anyone":
        operation["security"] = []
        return
    operation["security"] = [{SCHEME: []}]
    responses = operation.setdefault("responses", {})
    responses.setdefault(
        "401",
        {
            "description": "No bearer token, or one that fails its checks (expired, wrong issuer, ...)",
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "RFC 6750"}},
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        },
    )
    who = "it is for an admin or a service" if access == "operator" else "see **Who may call** above"
    responses.setdefault(
        "403",
        {
            "description": f"The token is valid, but its role (or hotels) may not use this operation: {who}",
            "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
        },
    )
