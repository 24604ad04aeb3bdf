"""The four HTTP services' OpenAPI documents are what client generators need: every operation has a
stable camelCase id, a tag, a readable summary and examples; every error answer is
`application/problem+json` with the one `Problem` schema; every document lists its local servers.
(Built from the app factories: nothing connects.)"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from innkeeper_contracts import PROBLEM_KINDS, problem_type

ISSUER = "https://issuer.example"
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)*$")
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}
SERVICES = ("command-service", "query-service", "projector", "notifier")
EXPECTED_IDS = {
    "command-service": {
        "registerHotel",
        "changeRoomCapacity",
        "setNightlyRate",
        "setManagementContact",
        "bookStay",
        "changeGuestContact",
        "cancelBooking",
        "eraseGuestData",
        "getHealth",
        "getReadiness",
        "getMetrics",
    },
    "query-service": {
        "searchHotels",
        "getHotel",
        "getHotelAvailability",
        "getBooking",
        "listGuestBookings",
        "listManagementAlerts",
        "getHealth",
        "getReadiness",
        "getMetrics",
    },
    "projector": {"getStatus", "getHealth", "getReadiness", "getMetrics"},
    "notifier": {"getHealth", "getReadiness", "getMetrics"},
}
PROBLEM_REF = "#/components/schemas/Problem"


@cache
def document(service: str) -> dict[str, Any]:
    if service == "command-service":
        from command_service.bootstrap import create_app as command_app
        from command_service.settings import Settings as CommandSettings

        return command_app(CommandSettings(log_format="json", auth_issuer=ISSUER)).openapi()
    if service == "query-service":
        from query_service.app import create_app as query_app
        from query_service.settings import Settings as QuerySettings

        return query_app(QuerySettings(log_format="json", auth_issuer=ISSUER)).openapi()
    if service == "projector":
        from projector.app import create_app as projector_app
        from projector.settings import Settings as ProjectorSettings

        return projector_app(ProjectorSettings(log_format="json", auth_issuer=ISSUER)).openapi()
    from notifier.app import create_app as notifier_app
    from notifier.settings import Settings as NotifierSettings

    return notifier_app(NotifierSettings(log_format="json", auth_issuer=ISSUER)).openapi()


def operations(service: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document(service)["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_has_a_camel_case_id_a_tag_and_a_readable_summary(service: str) -> None:
    ids = []
    for method, path, operation in operations(service):
        where = f"{service} {method.upper()} {path}"
        assert CAMEL_CASE.fullmatch(operation.get("operationId", "")), where
        assert operation.get("tags"), where
        summary = operation.get("summary", "")
        assert summary[:1].isupper(), f"{where}: summary {summary!r}"
        assert " " in summary, f"{where}: summary {summary!r}"
        ids.append(operation["operationId"])
    assert set(ids) == EXPECTED_IDS[service]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("service", SERVICES)
def test_every_error_answer_is_problem_json_with_the_problem_schema(service: str) -> None:
    checked = 0
    for method, path, operation in operations(service):
        for status, answer in operation["responses"].items():
            if status[0] not in "45" or (path == "/readyz" and status == "503"):
                continue  # readiness reports its checks (application/json) whether ready or not
            content = answer.get("content", {})
            where = f"{service} {method.upper()} {path} {status}"
            assert list(content) == ["application/problem+json"], where
            assert content["application/problem+json"]["schema"] == {"$ref": PROBLEM_REF}, where
            checked += 1
    assert checked > 0
    schemas = document(service)["components"]["schemas"]
    assert {"HttpProblem", "AuthProblem", "QueryProblem", "CommandRejected"}.isdisjoint(schemas)
    problem = schemas["Problem"]
    assert {"type", "title", "status", "detail", "instance", "correlation_id", "errors"} <= set(
        problem["properties"]
    )
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}


def _has_example(media: dict[str, Any]) -> bool:
    return "example" in media or bool(media.get("examples"))


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_has_request_and_answer_examples(service: str) -> None:
    for method, path, operation in operations(service):
        where = f"{service} {method.upper()} {path}"
        success = [answer for status, answer in operation["responses"].items() if status[0] == "2"]
        assert success, where
        assert all(
            _has_example(media) for answer in success for media in answer.get("content", {}).values()
        ), where
        body = operation.get("requestBody")
        if body is not None:
            assert all(_has_example(media) for media in body["content"].values()), where
        for parameter in operation.get("parameters", []):
            if "$ref" in parameter or parameter["in"] == "header" or parameter.get("deprecated"):
                continue
            assert parameter["schema"].get("examples") or parameter.get("examples"), (
                f"{where}: {parameter['name']}"
            )


@pytest.mark.parametrize("service", SERVICES)
def test_every_document_lists_the_make_run_and_compose_servers(service: str) -> None:
    servers = document(service)["servers"]
    port = {"command-service": 8001, "query-service": 8002, "projector": 8003, "notifier": 8004}[service]
    assert [server["url"] for server in servers] == [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    assert "make run" in servers[0]["description"]
    assert "compose" in servers[1]["description"]


def test_a_command_answer_documents_its_location_and_the_ids_it_names() -> None:
    for method, path, operation in operations("command-service"):
        if operation["tags"] == ["operations"]:
            continue
        accepted = operation["responses"]["202"]
        if path == "/guests/{guest_id}/erase":  # a guest is no resource of the query service
            assert "Location" not in accepted["headers"]
            assert "booking_id" not in accepted["content"]["application/json"]["example"]
            continue
        assert "Location" in accepted["headers"], f"{method} {path}"
        example = accepted["content"]["application/json"]["example"]
        assert "booking_id" in example if path.startswith("/bookings") else "hotel_id" in example


def test_availability_takes_check_in_and_check_out_with_from_and_to_deprecated() -> None:
    operation = document("query-service")["paths"]["/hotels/{hotel_id}/availability"]["get"]
    parameters = {parameter.get("name"): parameter for parameter in operation["parameters"]}
    assert not parameters["check_in"].get("deprecated")
    assert not parameters["check_out"].get("deprecated")
    assert parameters["from"]["deprecated"]
    assert parameters["to"]["deprecated"]
    answer = document("query-service")["components"]["schemas"]["HotelAvailability"]["properties"]
    assert {"check_in", "check_out"} <= set(answer)
    assert answer["start"]["deprecated"]
    assert answer["end"]["deprecated"]


def test_every_problem_type_is_a_uri_documented_in_docs_problems() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "problems.md").read_text()
    for kind in PROBLEM_KINDS:
        assert problem_type(kind) == f"https://innkeeper.dev/problems/{kind}"
        assert f'<a id="{kind}"></a>' in page, kind


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


@pytest.mark.parametrize("service", SERVICES)
def test_every_reference_resolves(service: str) -> None:
    full = document(service)
    for ref in _refs(full):
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in full["components"][kind], ref


def test_the_problem_schema_is_the_same_in_every_document() -> None:
    schemas = [document(service)["components"]["schemas"] for service in SERVICES]
    assert all(s["Problem"] == schemas[0]["Problem"] for s in schemas)
    assert all(s["FieldError"] == schemas[0]["FieldError"] for s in schemas)
