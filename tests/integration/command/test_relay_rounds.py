"""One relay round: the turn (one relay at a time), publish in position order, delete what was confirmed,
postpone what no queue took — in three round trips (BEGIN, the batch with the turn, the deletes with
COMMIT); and a relay that found another holding the turn tries again before its next poll."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aio_pika
import asyncpg
from command_support import booking_body, command_client, fetch, fetchval, hotel_body
from testkit.waiting import wait_until

from command_service.adapters.event_publisher import AmqpEventPublisher
from command_service.adapters.outbox_relay import OutboxRelay
from command_service.adapters.relay_round import RELAY_LOCK
from command_service.adapters.unit_of_work import end_session_use
from command_service.metrics import Metrics
from innkeeper_contracts import EventEnvelope
from innkeeper_contracts.topology import EVENTS_EXCHANGE


async def commands_in_the_outbox(env: dict[str, str], bookings: int) -> None:
    """A hotel and `bookings` bookings, committed with the relay off: 1 + 2 * bookings outbox rows (a
    booking asks to confirm it to its guest)."""
    async with command_client(env, relay_enabled=False) as client:
        hotel = hotel_body(capacity=10)
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        for _ in range(bookings):
            assert (await client.post("/bookings", json=booking_body(hotel["hotel_id"]))).status_code == 202


RELAY_METRICS = Metrics()
"""The metrics of every relay these tests run (one registry, as for the relays of one process)."""


@asynccontextmanager
async def relay_on(env: dict[str, str], poll_interval: float = 0.5) -> AsyncIterator[OutboxRelay]:
    pool = await asyncpg.create_pool(env["POSTGRES_DSN"], min_size=0, max_size=2, reset=end_session_use)
    publisher = AmqpEventPublisher(env["RABBITMQ_URL"])
    try:
        yield OutboxRelay(pool, publisher, poll_interval=poll_interval, metrics=RELAY_METRICS)
    finally:
        await publisher.close()
        await pool.close()


@asynccontextmanager
async def tapped(url: str, binding: str) -> AsyncIterator[list[EventEnvelope]]:
    """Envelopes published to `innkeeper.events` under `binding`, in arrival order."""
    seen: list[EventEnvelope] = []
    connection = await aio_pika.connect_robust(url)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(EVENTS_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue("", exclusive=True)
        await queue.bind(exchange, binding)

        async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            seen.append(EventEnvelope.model_validate_json(message.body))
            await message.ack()

        await queue.consume(collect)
        yield seen
    finally:
        await connection.close()


async def test_a_round_waits_its_turn_then_publishes_in_order_and_empties_the_outbox(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    await commands_in_the_outbox(command_env, bookings=3)
    async with tapped(command_env["RABBITMQ_URL"], "#") as seen, relay_on(command_env) as relay:
        other = await asyncpg.connect(dsn)  # another replica's relay, in the middle of its round
        try:
            async with other.transaction():
                await other.execute("SELECT pg_advisory_xact_lock($1)", RELAY_LOCK)
                assert await relay.publish_round() is None  # not "nothing to publish"
                assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 7
                # Its own round still holds its rows; this one's turn ended with nothing locked.
                assert await fetchval(dsn, "SELECT count(*) FROM pg_locks WHERE locktype = 'tuple'") == 0
        finally:
            await other.close()
        assert await relay.publish_round() == 7  # the hotel, each stay and its confirmation
        assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 0
        await wait_until(lambda: len(seen) == 7, 10, "7 events on the bus")
    logged = [row["global_position"] for row in await fetch(dsn, "SELECT global_position FROM events")]
    assert [envelope.global_position for envelope in seen] == sorted(logged)


async def test_events_no_queue_takes_are_postponed_and_the_others_deleted(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    await commands_in_the_outbox(command_env, bookings=2)
    async with tapped(command_env["RABBITMQ_URL"], "hotel.#") as seen, relay_on(command_env) as relay:
        assert await relay.publish_round() == 5
        waiting = await fetch(
            dsn,
            "SELECT e.event_type, o.attempts, o.last_error, o.not_before > now() AS later"
            " FROM outbox o JOIN events e USING (global_position) ORDER BY global_position",
        )
        assert [tuple(row) for row in waiting] == [
            (event_type, 1, "unroutable: no queue bound", True)
            for _ in range(2)
            for event_type in ("StayBooked", "GuestNotificationRequested")
        ]
        assert await relay.publish_round() == 0  # not before their back-off
        await wait_until(lambda: len(seen) == 1, 10, "HotelRegistered on the bus")
    assert [envelope.event_type for envelope in seen] == ["HotelRegistered"]


def turn_held() -> float:
    """Rounds of this process's relays that found another relay holding the turn."""
    return RELAY_METRICS.registry.get_sample_value("innkeeper_relay_turn_held_total") or 0.0


async def test_a_relay_that_found_the_turn_held_tries_again_before_its_next_poll(
    command_env: dict[str, str],
) -> None:
    """The other replica's round may have read the outbox before these commits and, its batch not
    full, not look again until its own poll: this relay must not wait for its poll either (an hour here)."""
    dsn = command_env["POSTGRES_DSN"]
    await commands_in_the_outbox(command_env, bookings=1)
    held_before = turn_held()
    async with tapped(command_env["RABBITMQ_URL"], "#") as seen, relay_on(command_env, 3600) as relay:
        other = await asyncpg.connect(dsn)
        try:
            round_of_the_other = other.transaction()
            await round_of_the_other.start()
            await other.execute("SELECT pg_advisory_xact_lock($1)", RELAY_LOCK)
            running = asyncio.create_task(relay.run())
            await wait_until(lambda: turn_held() > held_before, 10, "a round found the turn held")
            await round_of_the_other.rollback()  # its round ends, having published nothing of these
        finally:
            await other.close()
        try:
            await wait_until(lambda: len(seen) == 3, 10, "all events published without a wake or a poll")
        finally:
            await relay.drain(5)
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
    assert await fetchval(dsn, "SELECT count(*) FROM outbox") == 0
