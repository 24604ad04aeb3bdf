"""The projector's side: every event from `innkeeper.events`, sharded by hotel into its queues."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from faststream.rabbit import RabbitBroker, RabbitExchange, RabbitQueue

from innkeeper_contracts import EVENT_TYPES
from projector import topology

from .facts import ChannelFacts, Facts, documented, envelope_of, event_message

CHANNEL = "projector.events"


def describe(broker: RabbitBroker, events: RabbitExchange, facts: Facts) -> None:
    event_types = sorted(EVENT_TYPES)
    every_envelope: Any = reduce(or_, (envelope_of(event_type) for event_type in event_types))
    shards = RabbitQueue(topology.shard_queue(0).replace(".0", ".<n>"), durable=True, routing_key="#")
    broker.subscriber(
        shards,
        events,
        title=CHANNEL,
        description=(
            "The projector takes every event (routing key `#`) through the consistent-hash exchange "
            f"`{topology.HASH_EXCHANGE}` (on `x-partition-key`, the hotel id) into its single-active-"
            "consumer shard queues `innkeeper.projector.shard.<n>`, so each hotel's events are applied "
            "in order, and writes the read documents (see services/projector/README.md)."
        ),
    )(documented(every_envelope, "the projector's shard consumers (`projector.consumer`)"))
    facts[CHANNEL] = ChannelFacts(
        operation="projectorTakesEvents",
        summary="The projector takes every event into the read model.",
        tag="projector",
        messages=tuple(event_message(event_type) for event_type in event_types),
    )
