"""The notifier's side: the events it takes from `innkeeper.events` (the mail events, and whatever its
webhook subscribers name) and its dead letters."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from innkeeper_contracts import EVENT_TYPES
from notifier import topology
from notifier.event_messages import MAX_EVENT_BYTES
from notifier.plans import MAIL_EVENTS

from . import examples
from .facts import ChannelFacts, Facts, MessageFacts, documented, envelope_of, event_message

DEAD_LETTERS = "notifier.dead-letters"


def _dead_letter_body() -> dict[str, Any]:
    envelopes = [{"$ref": f"#/components/schemas/{event_type}Envelope"} for event_type in sorted(EVENT_TYPES)]
    anything = {"description": "Anything else: not JSON, not an envelope, an event type it does not know."}
    return {
        "title": "NotifierDeadLetterBody",
        "description": "The message's body as the notifier received it; empty when it was over "
        f"{MAX_EVENT_BYTES:,} bytes.",
        "anyOf": [*envelopes, anything],
    }


def describe(broker: RabbitBroker, events: RabbitExchange, facts: Facts) -> None:
    for event_type in MAIL_EVENTS:
        routing_key = EVENT_TYPES[event_type].routing_key()
        shards = RabbitQueue(
            topology.shard_queue(0).replace(".0", ".<n>"), QueueType.QUORUM, routing_key=routing_key
        )
        channel = f"notifier.{event_type}"
        broker.subscriber(
            shards,
            events,
            title=channel,
            description=(
                f"The notifier takes `{event_type}` (routing key `{routing_key}`) through the "
                f"consistent-hash exchange `{topology.HASH_EXCHANGE}` (on `x-partition-key`) into its "
                "quorum, single-active-consumer shard queues `innkeeper.notifier.shard.<n>`, and mails "
                "it (see services/notifier/README.md). Any other event type a webhook subscriber names "
                "(`WEBHOOK_SUBSCRIBERS`) is bound and taken the same way, and POSTed to that subscriber."
            ),
        )(documented(envelope_of(event_type), "the notifier's intake (`notifier.intake`)"))
        facts[channel] = ChannelFacts(
            operation=f"notifierTakes{event_type}",
            summary=f"The notifier takes {event_type} and mails it.",
            tag="notifier",
            messages=(event_message(event_type),),
        )
    broker.publisher(
        RabbitQueue(topology.DEAD_LETTER_QUEUE, durable=True),
        exchange=RabbitExchange(topology.DEAD_LETTER_EXCHANGE, type=ExchangeType.FANOUT, durable=True),
        title=DEAD_LETTERS,
        persist=True,
        description=f"Messages the notifier cannot take, in the queue `{topology.DEAD_LETTER_QUEUE}`: at "
        f"most {topology.DEAD_LETTERS_MAX:,} messages, each for 14 days.",
    )
    dead_letter = MessageFacts(
        "NotifierDeadLetter",
        "Dead-lettered notifier message",
        "A message the notifier cannot read as an event, or RabbitMQ gave up delivering.",
        "DeadLetterProperties",
        "NotifierDeadLetterHeaders",
        examples.notifier_dead_letters(),
    )
    facts[DEAD_LETTERS] = ChannelFacts(
        "deadLetterNotifierMessage",
        "The notifier parks what it cannot take.",
        "dead letters",
        (dead_letter,),
        payload=_dead_letter_body(),
    )
