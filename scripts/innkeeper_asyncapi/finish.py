"""Writes into FastStream's AsyncAPI 3.0 document what FastStream cannot express: named servers for
`make run` and for compose, readable ids and names, header schemas, AMQP properties, examples, the
dead letters' bodies, and the `reply` of every command operation."""

from __future__ import annotations

from typing import Any

from .amqp import header_schemas, property_schemas
from .facts import ChannelFacts, Facts, MessageFacts

SERVERS = {
    "local": {
        "host": "127.0.0.1:5672",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "title": "make run",
        "description": "This machine's RabbitMQ as `make run` uses it: the default vhost `/`, one broker "
        "user per service (scripts/local_broker.py).",
    },
    "compose": {
        "host": "rabbitmq:5672",
        "pathname": "/innkeeper",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "title": "docker compose",
        "description": "RabbitMQ in `docker compose` (`make up`), vhost `innkeeper`, inside the compose "
        "network; from the host it is 127.0.0.1:5672 (RABBITMQ_HOST_PORT). Users and permissions: "
        "deploy/rabbitmq/definitions.json.",
    },
}
SECURITY = {
    "brokerUser": {
        "type": "userPassword",
        "description": "A RabbitMQ user. Its name is the `user_id` a command carries, which RabbitMQ "
        "checks and AMQP_SENDERS maps to a role.",
    }
}
TAGS = {
    "commands": "Commands in: one per routing key on `innkeeper.commands`.",
    "replies": "The answer to a command sent with `reply_to`.",
    "events": "Domain events out, on the topic exchange `innkeeper.events`.",
    "projector": "What the projector takes from `innkeeper.events`.",
    "notifier": "What the notifier takes from `innkeeper.events`.",
    "dead letters": "Messages refused, kept with the reason.",
}


def _ref(*parts: str) -> dict[str, str]:
    return {"$ref": "#/" + "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)}


def _schema_name(reference: dict[str, str]) -> str:
    return reference["$ref"].rsplit("/", 1)[1]


def _payloads(channel: ChannelFacts, faststream: dict[str, Any], schemas: dict[str, Any]) -> list[Any]:
    """The payload of each of the channel's messages: FastStream's, or its union split in order."""
    if channel.payload is not None:
        schemas.pop(_schema_name(faststream["payload"]), None)  # FastStream's empty stand-in
        schemas[channel.payload["title"]] = channel.payload
        return [_ref("components", "schemas", channel.payload["title"])]
    if len(channel.messages) == 1:
        return [faststream["payload"]]
    union = schemas.pop(_schema_name(faststream["payload"]))
    members = union["anyOf"]
    if len(members) != len(channel.messages):
        raise ValueError(f"{union.get('title')}: {len(members)} schemas for {len(channel.messages)} messages")
    return list(members)


def _message(facts: MessageFacts, payload: Any, correlation: Any) -> dict[str, Any]:
    message = {
        "name": facts.name,
        "title": facts.title,
        "summary": facts.summary,
        "contentType": "application/json",
        "payload": payload,
        "correlationId": {**correlation, "description": "The AMQP property `correlation_id`."},
        "x-amqp-properties": _ref("components", "schemas", facts.properties),
        "examples": facts.examples,
    }
    if facts.headers:
        message["headers"] = _ref("components", "schemas", facts.headers)
    return message


def _finish_channel(document: dict[str, Any], key: str, channel: ChannelFacts) -> None:
    components = document["components"]
    faststream_channel = document["channels"][key]
    (old_key,) = faststream_channel["messages"]
    old_name = _schema_name(faststream_channel["messages"][old_key])
    old = components["messages"].pop(old_name)
    payloads = _payloads(channel, old, components["schemas"])
    faststream_channel["messages"] = {}
    for facts, payload in zip(channel.messages, payloads, strict=True):
        message = _message(facts, payload, old["correlationId"])
        if components["messages"].setdefault(facts.name, message) != message:
            raise ValueError(f"two different messages named {facts.name}")
        faststream_channel["messages"][facts.name] = _ref("components", "messages", facts.name)
    faststream_channel["servers"] = [_ref("servers", name) for name in SERVERS]
    for binding in faststream_channel.get("bindings", {}).get("amqp", {}).values():
        if isinstance(binding, dict):
            binding.pop("vhost", None)  # differs by server: each server's pathname says it
    (old_operation,) = [
        name for name, op in document["operations"].items() if op["channel"] == _ref("channels", key)
    ]
    operation = document["operations"].pop(old_operation)
    operation["messages"] = [_ref("channels", key, "messages", facts.name) for facts in channel.messages]
    operation["summary"] = channel.summary
    operation["tags"] = [{"name": channel.tag}]
    document["operations"][channel.operation] = operation


def _reply(replies: str, document: dict[str, Any]) -> dict[str, Any]:
    messages = document["channels"][replies]["messages"]
    return {
        "address": {
            "location": "$message.header#/reply_to",
            "description": "The command message's AMQP property `reply_to`.",
        },
        "channel": _ref("channels", replies),
        "messages": [_ref("channels", replies, "messages", name) for name in messages],
    }


def finish(document: dict[str, Any], facts: Facts, *, replies: str, notifier_delivery_limit: int) -> None:
    """Complete FastStream's `document` (in place) with `facts`, by channel id."""
    document["servers"] = {
        name: {**server, "security": [_ref("components", "securitySchemes", "brokerUser")]}
        for name, server in SERVERS.items()
    }
    document["info"]["tags"] = [{"name": name, "description": text} for name, text in TAGS.items()]
    components = document["components"]
    components["securitySchemes"] = SECURITY
    components["schemas"].update(header_schemas(notifier_delivery_limit))
    components["schemas"].update(property_schemas())
    if unknown := set(document["channels"]) ^ set(facts):
        raise ValueError(f"channels without facts, or facts without a channel: {sorted(unknown)}")
    for key, channel in facts.items():
        _finish_channel(document, key, channel)
    document["channels"][replies]["address"] = None  # the reply's address is each command's `reply_to`
    for channel in facts.values():
        if channel.replies:
            document["operations"][channel.operation]["reply"] = _reply(replies, document)
    document["operations"] = dict(sorted(document["operations"].items()))
