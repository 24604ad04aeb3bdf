"""The OpenAPI document says what the middleware enforces: the bearer scheme, which operations need it,
and the 401/403/503 answers they may give (generated from the same rules, so the two cannot drift)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from innkeeper_kit.openapi_document import PROBLEM_REF, add_problem_schemas, amend_openapi
from innkeeper_kit.problems import PROBLEM_JSON

from .middleware import Access

SCHEME = "bearerAuth"
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

    def amend(schema: dict[str, Any]) -> None:
        add_problem_schemas(schema).setdefault("securitySchemes", {})[SCHEME] = _SCHEME
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _secure(operation, access(method.upper(), path))

    amend_openapi(app, amend)


def _secure(operation: dict[str, Any], access: Access) -> None:
    responses = operation.setdefault("responses", {})
    if access == "anyone":
        operation["security"] = []
        # No token is needed, but one that is sent and fails its checks is refused all the same.
        responses.setdefault("401", _unauthenticated("A bearer token was sent and fails its checks"))
        return
    operation["security"] = [{SCHEME: []}]
    responses.setdefault(
        "401", _unauthenticated("No bearer token, or one that fails its checks (expired, wrong issuer, ...)")
    )
    who = "it is for an admin or a service" if access == "operator" else "see **Who may call** above"
    responses.setdefault(
        "403",
        {
            "description": f"The token is valid, but its role (or hotels) may not use this operation: {who}",
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        },
    )
    responses.setdefault(
        "503",
        {
            "description": "The issuer's keys cannot be fetched, so no token can be checked now",
            "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
        },
    )


def _unauthenticated(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "RFC 6750", "required": True}
        },
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
    }
