"""Innkeeper's AsyncAPI 3.0 document: FastStream describes the broker (`commands`, `events`,
`projector`, `notifier`), `finish` adds what FastStream cannot say (`facts`)."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange
from faststream.specification import AsyncAPI

from innkeeper_contracts.topology import EVENTS_EXCHANGE
from notifier.topology import DELIVERY_LIMIT

from . import commands, events, notifier, projector
from .facts import Facts
from .finish import finish

__all__ = ["asyncapi_document"]


def message_broker() -> tuple[RabbitBroker, Facts]:
    """A broker carrying Innkeeper's AMQP interface, for FastStream to describe (it never connects),
    and what FastStream cannot say about each channel."""
    # FastStream documents one server from this URL; `finish` replaces it with the named ones.
    broker = RabbitBroker(specification_url="amqp://rabbitmq:5672/innkeeper")
    facts: Facts = {}
    commands.describe(broker, facts)
    exchange = RabbitExchange(EVENTS_EXCHANGE, type=ExchangeType.TOPIC, durable=True)
    events.describe(broker, exchange, facts)
    projector.describe(broker, exchange, facts)
    notifier.describe(broker, exchange, facts)
    return broker, facts


def asyncapi_document(version: str) -> Any:
    broker, facts = message_broker()
    document = (
        AsyncAPI(
            broker,
            title="Innkeeper messages",
            version=version,
            description="Commands to the command service and its replies, the domain events it "
            "publishes, what the projector and the notifier take from them, and the dead letters. For a "
            "walk through sending a first command, see docs/integrating.md.",
            schema_version="3.0.0",
        )
        .to_specification()
        .to_jsonable()
    )
    finish(document, facts, replies=commands.REPLIES, notifier_delivery_limit=DELIVERY_LIMIT)
    return document
