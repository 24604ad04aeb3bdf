"""Publishes event envelopes to the `innkeeper.events` topic exchange with publisher confirms."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aio_pika
import orjson
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aio_pika.connection import make_url
from aio_pika.exceptions import PublishError

from innkeeper_contracts import event_class
from innkeeper_contracts.topology import EVENTS_EXCHANGE, event_headers

log = structlog.get_logger("command_service.publisher")


@dataclass(frozen=True)
class OutgoingEvent:
    """One event of the log, ready to publish."""

    global_position: int
    event_id: str
    event_type: str
    partition_key: str
    correlation_id: str
    body: bytes


@dataclass(frozen=True)
class PublishResults:
    """Which positions were confirmed, returned as unroutable, or failed otherwise."""

    confirmed: list[int]
    unroutable: list[int]
    failed: list[int]
    error: BaseException | None = None


class EventPublisher(Protocol):
    """Publishes a batch of events, pipelined, and says which were confirmed."""

    async def publish(self, events: Sequence[OutgoingEvent]) -> PublishResults:
        """Publish all, then wait for every confirm."""
        ...


class AmqpEventPublisher:
    """aio-pika robust connection; persistent, mandatory messages; confirms awaited together."""

    def __init__(self, url: str, confirm_timeout: float = 15.0) -> None:
        self._url, self._confirm_timeout = url, confirm_timeout
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def _ready_exchange(self) -> AbstractExchange:
        if self._connection is None:
            # Keep the connection object before connecting, so `close()` can stop its reconnecting
            # even when the first attempt is cancelled or fails.
            connection = aio_pika.RobustConnection(
                make_url(self._url), client_properties={"connection_name": "command-service relay"}
            )
            self._connection = connection
            try:
                await connection.connect(timeout=10)
            except BaseException:
                self._connection = None
                with contextlib.suppress(Exception):
                    await asyncio.shield(connection.close())
                raise
        if self._exchange is None or self._channel is None or self._channel.is_closed:
            self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
            self._exchange = await self._channel.declare_exchange(
                EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
            )
        return self._exchange

    async def publish(self, events: Sequence[OutgoingEvent]) -> PublishResults:
        exchange = await self._ready_exchange()
        publishes = [
            exchange.publish(
                _message(event), _routing_key(event), mandatory=True, timeout=self._confirm_timeout
            )
            for event in events
        ]
        results = await asyncio.gather(*publishes, return_exceptions=True)
        confirmed, unroutable, failed = [], [], []
        error: BaseException | None = None
        for event, result in zip(events, results, strict=True):
            if not isinstance(result, BaseException):
                confirmed.append(event.global_position)
            elif isinstance(result, PublishError):
                unroutable.append(event.global_position)
            else:
                failed.append(event.global_position)
                error = result
        return PublishResults(confirmed, unroutable, failed, error)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection, self._exchange = None, None


def _routing_key(event: OutgoingEvent) -> str:
    return event_class(event.event_type).routing_key()


def _message(event: OutgoingEvent) -> aio_pika.Message:
    return aio_pika.Message(
        event.body,
        message_id=event.event_id,
        correlation_id=event.correlation_id,
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        type=event.event_type,
        headers={
            **event_headers(
                partition_key=event.partition_key,
                event_type=event.event_type,
                correlation_id=event.correlation_id,
            )
        },
    )


def envelope_body(row: Mapping[str, Any]) -> bytes:
    """The EventEnvelope JSON of an events row (`data` is the stored JSON text, embedded as is)."""
    envelope = dict(row)
    envelope["event_id"] = str(row["event_id"])
    envelope["aggregate_id"] = str(row["aggregate_id"])
    envelope["data"] = orjson.Fragment(row["data"])
    return orjson.dumps(envelope)
