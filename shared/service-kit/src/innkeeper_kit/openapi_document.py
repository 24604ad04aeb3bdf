"""Changing the OpenAPI document FastAPI builds: once, when it is first asked for (then it is cached, as
FastAPI caches its own), by each of the kit's parts that documents what it enforces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from innkeeper_kit.problems import problem_schemas

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def amend_openapi(app: FastAPI, amend: Callable[[dict[str, Any]], None]) -> None:
    """Wrap `app.openapi` so the document is built as before, then changed in place by `amend`."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        amend(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def add_problem_schemas(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the `Problem` schemas in the document's components (where missing); returns the components."""
    components: dict[str, Any] = schema.setdefault("components", {})
    for name, problem_schema in problem_schemas().items():
        components.setdefault("schemas", {}).setdefault(name, problem_schema)
    return components
