"""The one problem vocabulary: a URI per kind, the kind a bare status falls back to, the AMQP instance,
and a problem that tolerates members it does not know (RFC 9457 §3.2)."""

from __future__ import annotations

from innkeeper_contracts import PROBLEM_KINDS, CommandRejected, Problem, problem_type
from innkeeper_contracts.problems import PROBLEM_TYPE_BASE, amqp_instance, kind_for_status


def test_every_kind_is_a_uri_under_one_base_and_kinds_are_unique() -> None:
    assert len(set(PROBLEM_KINDS)) == len(PROBLEM_KINDS)
    assert PROBLEM_TYPE_BASE == "https://innkeeper.dev/problems/"
    assert problem_type("invalid-input") == "https://innkeeper.dev/problems/invalid-input"
    assert not {"invalid-command", "invalid-query", "malformed-message"} & set(PROBLEM_KINDS)


def test_a_status_without_a_more_specific_error_has_its_kind() -> None:
    expected = {
        400: "malformed-body",
        401: "unauthenticated",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        408: "request-timeout",
        409: "conflict",
        413: "too-large",
        418: "invalid-input",
        422: "invalid-input",
        431: "too-large",
        500: "internal",
        502: "internal",
        503: "unavailable",
    }
    assert {status: kind_for_status(status) for status in expected} == expected


def test_an_amqp_reply_names_the_message_it_answers() -> None:
    assert amqp_instance("book-42") == "urn:innkeeper:command:book-42"


def test_a_problem_ignores_members_it_does_not_know_and_says_its_kind() -> None:
    wire = {
        "type": problem_type("business-rule"),
        "title": "Business rule violated",
        "status": 409,
        "detail": "no room",
        "instance": "/bookings",
        "retry_in": 5,  # an extension from a later version
    }
    problem = Problem.model_validate(wire)
    assert (problem.kind, problem.instance, problem.errors) == ("business-rule", "/bookings", [])
    rejected = CommandRejected.model_validate({**wire, "command": "BookStay"})
    assert (rejected.kind, rejected.command) == ("business-rule", "BookStay")
    assert "retry_in" not in rejected.model_dump()


def test_every_kind_has_one_title() -> None:
    from innkeeper_contracts.problems import PROBLEM_TITLES

    assert list(PROBLEM_TITLES) == list(PROBLEM_KINDS)
    assert all(title[:1].isupper() for title in PROBLEM_TITLES.values())
