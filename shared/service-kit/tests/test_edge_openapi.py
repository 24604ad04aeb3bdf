"""The OpenAPI document of an app with the kit's edge says what the edge does, operation by operation."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from innkeeper_contracts import Problem
from innkeeper_kit.auth.middleware import path_rules
from innkeeper_kit.auth.openapi import document_bearer_auth
from innkeeper_kit.edge_openapi import document_http_edge, local_servers, operation_id
from innkeeper_kit.identifiers import ID_PATTERN
from innkeeper_kit.problems import PROBLEM_JSON
from innkeeper_kit.settings import ServiceSettings

ACCESS = path_rules(anyone=["/things"], operator=["/metrics"])


class Thing(BaseModel):
    name: str


def document() -> dict[str, Any]:
    app = FastAPI()
    problem = {"model": Problem, "content": {PROBLEM_JSON: {}}}

    @app.get("/things", responses={503: problem, 404: {"description": "No body declared"}})
    async def things() -> list[Thing]:
        return []

    @app.post("/things", status_code=202, responses={422: problem})
    async def add(thing: Thing) -> Thing:
        return thing

    document_bearer_auth(app, ACCESS)
    settings = ServiceSettings(max_request_body_bytes=4096, request_body_timeout_seconds=7.5)
    document_http_edge(app, settings)
    return app.openapi()


def test_problem_bodies_are_documented_under_their_own_content_type() -> None:
    add = document()["paths"]["/things"]["post"]["responses"]
    assert add["422"]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert list(add["202"]["content"]) == ["application/json"]  # answers that are not problems stay


def test_every_operation_may_answer_408_413_and_500_a_get_too() -> None:
    """The body bounds hold for any request: a GET sent with a large or slow body is refused alike."""
    paths = document()["paths"]["/things"]
    edge = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operation in paths.values():
        responses = operation["responses"]
        assert {status: responses[status]["content"] for status in ("408", "413", "500")} == dict.fromkeys(
            ("408", "413", "500"), edge
        )
        assert "4096 bytes" in responses["413"]["description"]
        assert "7.5 s" in responses["408"]["description"]


def test_answers_carry_the_correlation_id_and_every_503_a_retry_after() -> None:
    full = document()
    components = full["components"]
    assert components["headers"]["X-Correlation-Id"]["schema"]["pattern"] == ID_PATTERN
    assert components["headers"]["Retry-After"]["required"] is True
    assert components["schemas"]["Problem"]["properties"]["type"]["format"] == "uri"
    assert set(components["schemas"]) == {"Thing", "Problem", "FieldError"}
    for operation in full["paths"]["/things"].values():
        assert {"$ref": "#/components/parameters/X-Correlation-Id"} in operation["parameters"]
        for status, response in operation["responses"].items():
            assert "X-Correlation-Id" in response["headers"], status
            assert ("Retry-After" in response["headers"]) is (status == "503"), status


def test_what_no_operation_can_declare_is_in_the_description_and_nothing_is_left_unreferenced() -> None:
    """A 405 answers a method that is no operation; uvicorn's 503 past the concurrency bound is its own."""
    full = document()
    assert re.search(r"405 with `Allow`", full["info"]["description"])
    assert re.search(
        r"1000 open connections .*`text/plain`, without `Retry-After`", full["info"]["description"]
    )
    text = str(full["paths"])
    for kind, names in full["components"].items():
        if kind not in ("schemas", "securitySchemes"):  # schemas nest; schemes are named, not $ref'd
            assert [name for name in names if f"#/components/{kind}/{name}" not in text] == [], kind


def test_auth_answers_are_documented_where_the_middleware_gives_them() -> None:
    paths = document()["paths"]["/things"]
    public, private = paths["get"]["responses"], paths["post"]["responses"]
    assert "401" in public, "a bad token is refused even where none is needed"
    assert "403" not in public
    assert {"401", "403", "503"} <= set(private)
    assert private["401"]["headers"]["WWW-Authenticate"]["required"] is True


def test_an_error_answer_that_declares_no_body_is_documented_as_a_problem() -> None:
    answer = document()["paths"]["/things"]["get"]["responses"]["404"]
    assert answer["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def test_operation_ids_are_the_route_names_in_camel_case() -> None:
    app = FastAPI(generate_unique_id_function=operation_id)

    @app.get("/a", name="BookStay")
    async def a() -> None: ...

    @app.get("/b")
    async def get_hotel_availability() -> None: ...

    paths = app.openapi()["paths"]
    assert [paths["/a"]["get"]["operationId"], paths["/b"]["get"]["operationId"]] == [
        "bookStay",
        "getHotelAvailability",
    ]


def test_local_servers_are_make_run_and_compose() -> None:
    servers = local_servers(8002, "QUERY_PORT", "QUERY_HTTP_PORT")
    assert [server["url"] for server in servers] == ["http://127.0.0.1:8002", "http://localhost:8002"]
    assert "QUERY_PORT" in servers[0]["description"]
    assert "QUERY_HTTP_PORT" in servers[1]["description"]
