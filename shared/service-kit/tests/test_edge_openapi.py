"""The OpenAPI document of an app with the kit's edge says what the edge does, operation by operation."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.auth.openapi import document_bearer_auth
from innkeeper_kit.edge_openapi import document_http_edge
from innkeeper_kit.identifiers import ID_PATTERN
from innkeeper_kit.problems import EDGE_KINDS, PROBLEM_JSON

ACCESS = path_rules(anyone=["/things"], operator=["/metrics"])


class Thing(BaseModel):
    name: str


class Problem(BaseModel):
    status: int
    type: str


def document() -> dict[str, Any]:
    app = FastAPI()
    problem = {"model": Problem, "content": {PROBLEM_JSON: {}}}

    @app.get("/things", responses={503: problem})
    async def things() -> list[Thing]:
        return []

    @app.post("/things", status_code=202, responses={422: problem})
    async def add(thing: Thing) -> Thing:
        return thing

    document_bearer_auth(app, ACCESS)
    document_http_edge(app, max_body_bytes=4096)
    return app.openapi()


def test_problem_bodies_are_documented_under_their_own_content_type() -> None:
    add = document()["paths"]["/things"]["post"]["responses"]
    assert add["422"]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert list(add["202"]["content"]) == ["application/json"]  # answers that are not problems stay


def test_every_operation_may_answer_500_and_those_with_a_body_413() -> None:
    paths = document()["paths"]["/things"]
    edge = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/HttpProblem"}}}
    assert paths["get"]["responses"]["500"]["content"] == edge
    assert paths["post"]["responses"]["500"]["content"] == edge
    assert paths["post"]["responses"]["413"]["content"] == edge
    assert "4096 bytes" in paths["post"]["responses"]["413"]["description"]
    assert "413" not in paths["get"]["responses"]


def test_answers_carry_the_correlation_id_and_every_503_a_retry_after() -> None:
    full = document()
    components = full["components"]
    assert components["headers"]["X-Correlation-Id"]["schema"]["pattern"] == ID_PATTERN
    assert components["headers"]["Retry-After"]["required"] is True
    assert components["schemas"]["HttpProblem"]["properties"]["type"]["enum"] == list(EDGE_KINDS)
    for operation in full["paths"]["/things"].values():
        assert {"$ref": "#/components/parameters/X-Correlation-Id"} in operation["parameters"]
        for status, response in operation["responses"].items():
            assert "X-Correlation-Id" in response["headers"], status
            assert ("Retry-After" in response["headers"]) is (status == "503"), status


def test_a_405_is_described_once_with_its_allow_header() -> None:
    full = document()
    method_not_allowed = full["components"]["responses"]["MethodNotAllowed"]
    assert method_not_allowed["headers"]["Allow"] == {"$ref": "#/components/headers/Allow"}
    assert re.search(r"405 with `Allow`", full["info"]["description"])


def test_auth_answers_are_documented_where_the_middleware_gives_them() -> None:
    paths = document()["paths"]["/things"]
    public, private = paths["get"]["responses"], paths["post"]["responses"]
    assert "401" in public, "a bad token is refused even where none is needed"
    assert "403" not in public
    assert {"401", "403", "503"} <= set(private)
    assert private["401"]["headers"]["WWW-Authenticate"]["required"] is True
