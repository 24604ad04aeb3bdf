"""What FastStream cannot say about a channel (`ChannelFacts`): its operation's id, its messages' names,
titles, headers, AMQP properties and examples, and whether it is answered on `reply_to`. The modules
that describe the broker (`commands`, `events`, `notifier`) record them by channel id beside each
subscriber or publisher; `finish` writes them into the document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, create_model

from innkeeper_contracts import EVENT_TYPES, EventEnvelope

from . import examples


@dataclass(frozen=True)
class MessageFacts:
    name: str  # its key under components/messages (one message may serve several channels)
    title: str
    summary: str
    properties: str  # a schema under components/schemas (amqp.property_schemas)
    headers: str | None = None  # a schema under components/schemas
    examples: list[dict[str, Any]] = field(default_factory=list)  # AsyncAPI Message Example Objects


@dataclass(frozen=True)
class ChannelFacts:
    operation: str  # the operation's id
    summary: str
    tag: str
    messages: tuple[MessageFacts, ...]  # several: FastStream's one payload is their union, in this order
    replies: bool = False  # a command: answered on `reply_to` with CommandAccepted or CommandRejected
    payload: dict[str, Any] | None = None  # instead of FastStream's (a dead letter's body has no model)


Facts = dict[str, ChannelFacts]
"""By channel id: the title given to FastStream, which names the channel."""


def summary_of(model: type[BaseModel]) -> str:
    """The first line of the model's docstring."""
    return (model.__doc__ or model.__name__).strip().splitlines()[0]


def envelope_of(event_type: str) -> type[BaseModel]:
    """The EventEnvelope whose `data` is this event's schema (how the event travels)."""
    model: type[BaseModel] = create_model(
        f"{event_type}Envelope", __base__=EventEnvelope, data=(EVENT_TYPES[event_type], ...)
    )
    model.__doc__ = f"`{event_type}` in its EventEnvelope."
    return model


def documented(model: type[BaseModel], consumer: str) -> Any:
    """A handler for FastStream to describe `model` as a message `consumer` takes; it is never called."""

    async def take(body: BaseModel) -> None:
        pass

    take.__doc__ = f"Documentation only: {consumer}."
    take.__annotations__["body"] = model
    return take


def event_message(event_type: str) -> MessageFacts:
    """An event as it travels: its envelope, its headers, an example of both."""
    example = {
        "name": event_type,
        "headers": examples.event_example_headers(event_type),
        "payload": examples.event_envelope(event_type),
    }
    return MessageFacts(
        name=event_type,
        title=f"{event_type} event",
        summary=summary_of(EVENT_TYPES[event_type]),
        properties="EventProperties",
        headers="EventHeaders",
        examples=[example],
    )
