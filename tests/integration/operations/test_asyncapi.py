"""The committed AsyncAPI document (current: test_docs) stands alone: named servers, readable names,
header and AMQP property schemas, examples that fit their schemas, dead letters with a real body and
headers, and a reply on every command operation. No Node needed: CI validates it against the AsyncAPI
3.0 JSON Schema in `make contracts-check`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker  # type: ignore[import-untyped]  # with check-jsonschema

from innkeeper_contracts import COMMANDS, EVENT_TYPES
from innkeeper_contracts.topology import PARTITION_KEY_HEADER, REJECTION_REASON_HEADER

ROOT = Path(__file__).resolve().parents[3]
DOCUMENT: dict[str, Any] = json.loads((ROOT / "docs" / "asyncapi" / "innkeeper.json").read_text())
MESSAGES: dict[str, Any] = DOCUMENT["components"]["messages"]
OPERATIONS: dict[str, Any] = DOCUMENT["operations"]


def resolve(reference: str) -> Any:
    """What a `#/…` reference points at, following references to references."""
    node: Any = DOCUMENT
    for part in reference.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return resolve(node["$ref"]) if isinstance(node, dict) and set(node) == {"$ref"} else node


def references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def errors(schema_reference: dict[str, str], instance: Any) -> list[str]:
    """Validation errors of `instance` against a schema of the document (its references resolved)."""
    validator = Draft7Validator(
        {**schema_reference, "components": DOCUMENT["components"]}, format_checker=FormatChecker()
    )
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def test_every_reference_resolves() -> None:
    for reference in references(DOCUMENT):
        assert reference.startswith("#/"), reference
        resolve(reference)


def test_servers_for_make_run_and_compose_that_every_channel_names() -> None:
    servers = DOCUMENT["servers"]
    assert servers["local"]["host"] == "127.0.0.1:5672"
    assert servers["compose"]["host"] == "rabbitmq:5672"
    assert servers["compose"]["pathname"] == "/innkeeper"
    for channel in DOCUMENT["channels"].values():
        assert channel["servers"] == [{"$ref": "#/servers/local"}, {"$ref": "#/servers/compose"}]


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_a_message_has_a_readable_name_and_examples_that_fit_its_schemas(name: str) -> None:
    message = MESSAGES[name]
    assert message["name"] == name
    assert ":" not in message["title"]
    assert message["summary"]
    assert message["examples"], f"{name} has no example"
    for example in message["examples"]:
        assert errors(message["payload"], example["payload"]) == [], example["name"]
        if "headers" in message:
            assert errors(message["headers"], example.get("headers", {})) == [], example["name"]
        else:
            assert "headers" not in example
    assert resolve(message["x-amqp-properties"]["$ref"])["type"] == "object"


def test_the_property_examples_fit_their_schemas() -> None:
    for name in {message["x-amqp-properties"]["$ref"] for message in MESSAGES.values()}:
        schema = resolve(name)
        assert schema["examples"]
        for example in schema["examples"]:
            assert errors({"$ref": name}, example) == [], name
    command = resolve("#/components/schemas/CommandProperties")
    assert {"message_id", "correlation_id", "reply_to", "user_id"} <= set(command["properties"])


def test_every_command_is_received_and_answered_on_reply_to() -> None:
    replies = DOCUMENT["channels"]["replies"]
    assert replies["address"] is None  # each reply goes where its command's `reply_to` says
    answers = [
        {"$ref": "#/channels/replies/messages/CommandAccepted"},
        {"$ref": "#/channels/replies/messages/CommandRejected"},
    ]
    for name in COMMANDS:
        operation = OPERATIONS[name[0].lower() + name[1:]]
        assert operation["action"] == "receive"
        assert resolve(operation["messages"][0]["$ref"])["name"] == name
        assert operation["reply"]["address"]["location"] == "$message.header#/reply_to"
        assert operation["reply"]["channel"] == {"$ref": "#/channels/replies"}
        assert operation["reply"]["messages"] == answers


def test_every_event_is_published_with_the_headers_consumers_shard_by() -> None:
    headers = resolve("#/components/schemas/EventHeaders")
    assert PARTITION_KEY_HEADER in headers["required"]
    for event_type in EVENT_TYPES:
        operation = OPERATIONS[f"publish{event_type}"]
        assert operation["action"] == "send"
        message = resolve(operation["messages"][0]["$ref"])
        assert message["headers"] == {"$ref": "#/components/schemas/EventHeaders"}
        assert message["examples"][0]["payload"]["event_type"] == event_type
        assert (
            message["examples"][0]["headers"][PARTITION_KEY_HEADER]
            == message["examples"][0]["payload"]["partition_key"]
        )


def test_the_projector_takes_every_event_as_published() -> None:
    taken = [resolve(message["$ref"]) for message in OPERATIONS["projectorTakesEvents"]["messages"]]
    assert sorted(message["name"] for message in taken) == sorted(EVENT_TYPES)


@pytest.mark.parametrize("name", ["CommandDeadLetter", "NotifierDeadLetter"])
def test_a_dead_letter_has_a_body_and_the_headers_that_say_why(name: str) -> None:
    message = MESSAGES[name]
    body = resolve(message["payload"]["$ref"])
    assert body["anyOf"], "the body names what it usually is"
    headers = resolve(message["headers"]["$ref"])
    assert {REJECTION_REASON_HEADER, "x-death", "x-original-routing-key"} <= set(headers["properties"])
    assert any(REJECTION_REASON_HEADER in example["headers"] for example in message["examples"])
