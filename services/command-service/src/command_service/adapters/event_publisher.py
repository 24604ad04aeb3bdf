"""Publishes event envelopes to the `innkeeper.events` topic exchange with publisher confirms."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import aio_pika
import aiormq
import structlog
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection
from aio_pika.connection import make_url
from aio_pika.exceptions import PublishError

from command_service.adapters.outgoing_event import OutgoingEvent, amqp_properties, routing_key
from command_service.adapters.publish_spans import PublishSpans
from innkeeper_contracts.topology import EVENTS_EXCHANGE

log = structlog.get_logger("command_service.publisher")


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
        await self._ready_exchange()
        assert self._channel is not None
        # Straight to the aiormq channel under aio-pika's (robust, reconnecting) one: no aio_pika.Message
        # per event, no wait for each frame's socket drain, one deadline for the batch instead of a
        # timer per publish. The channel lock keeps the order; `mandatory` + the channel's
        # `on_return_raises` turn a return into PublishError, a nack into DeliveryError.
        channel = await self._channel.get_underlay_channel()
        assert isinstance(channel, aiormq.Channel)  # `wait=` is the concrete channel's
        routing_keys = [routing_key(event) for event in events]
        spans = PublishSpans.open(events, routing_keys)
        sends = [
            asyncio.ensure_future(
                channel.basic_publish(
                    event.body,
                    exchange=EVENTS_EXCHANGE,
                    routing_key=routing_key,
                    properties=amqp_properties(event, spans.header(index)),
                    mandatory=True,
                    wait=False,
                )
            )
            for index, (event, routing_key) in enumerate(zip(events, routing_keys, strict=True))
        ]
        try:
            _, late = await asyncio.wait(sends, timeout=self._confirm_timeout) if sends else (set(), set())
        finally:  # on a timeout, and when the caller is cancelled: no publish outlives the batch
            for send in sends:
                send.cancel()
        if late:
            await asyncio.wait(late)
        if spans:
            spans.end([_outcome(send) for send in sends])
        return _results(events, sends)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection, self._exchange = None, None


def _results(events: Sequence[OutgoingEvent], sends: Sequence[asyncio.Future[Any]]) -> PublishResults:
    confirmed, unroutable, failed = [], [], []
    error: BaseException | None = None
    for event, send in zip(events, sends, strict=True):
        outcome = _outcome(send)
        if outcome is None:
            confirmed.append(event.global_position)
        elif isinstance(outcome, PublishError):
            unroutable.append(event.global_position)
        else:
            failed.append(event.global_position)
            error = outcome
    return PublishResults(confirmed, unroutable, failed, error)


def _outcome(send: asyncio.Future[Any]) -> BaseException | None:
    """None when confirmed; else why not (a return, a nack, a connection error, no confirm in time)."""
    return TimeoutError("no publisher confirm in time") if send.cancelled() else send.exception()
