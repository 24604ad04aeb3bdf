"""The domain events Innkeeper publishes: one publisher per event type on `innkeeper.events`."""

from __future__ import annotations

from faststream.rabbit import RabbitBroker, RabbitExchange

from innkeeper_contracts import EVENT_TYPES
from innkeeper_contracts.topology import EVENTS_EXCHANGE

from .facts import ChannelFacts, Facts, envelope_of, event_message


def describe(broker: RabbitBroker, events: RabbitExchange, facts: Facts) -> None:
    for event_type in sorted(EVENT_TYPES):
        event = EVENT_TYPES[event_type]
        channel = f"events.{event_type}"
        broker.publisher(
            exchange=events,
            routing_key=event.routing_key(),
            schema=envelope_of(event_type),
            persist=True,
            title=channel,
            description=(
                f"`{event_type}` (schema version {event.schema_version}) on the topic exchange "
                f"`{EVENTS_EXCHANGE}`, routing key `{event.routing_key()}`, published by the command "
                "service's outbox relay with publisher confirms. May be delivered more than once: "
                "deduplicate by the event id (`message_id`, the envelope's `event_id`)."
            ),
        )
        facts[channel] = ChannelFacts(
            operation=f"publish{event_type}",
            summary=f"Innkeeper publishes {event_type}.",
            tag="events",
            messages=(event_message(event_type),),
        )
