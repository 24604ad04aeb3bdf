"""The intake queue itself: a quorum queue whose delivery limit dead-letters a message that kills its
consumer on every delivery (shown with the broker alone), and a classic queue from an earlier version
that keeps the intake off, said once, until it is deleted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aio_pika
import httpx
import orjson
from command_support import command_client, command_sender, hotel_body, wait_for_intake
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts.topology import (
    COMMANDS_DEAD_LETTER_EXCHANGE,
    COMMANDS_DEAD_LETTER_QUEUE,
    COMMANDS_DELIVERY_LIMIT,
    COMMANDS_QUEUE,
)


async def delivered_again(connection: aio_pika.abc.AbstractConnection) -> bool:
    """Take the command from the intake queue and drop the channel without settling it, as a consumer
    killed by the command would (True); False when the broker has dead-lettered it instead."""
    channel = await connection.channel()
    intake = await channel.get_queue(COMMANDS_QUEUE)
    seen: list[bool] = []

    async def delivered_or_dead() -> bool:
        if await intake.get(no_ack=False, fail=False) is not None:
            seen.append(True)
        elif (
            await channel.declare_queue(COMMANDS_DEAD_LETTER_QUEUE, passive=True)
        ).declaration_result.message_count:
            seen.append(False)
        return bool(seen)

    await wait_until(delivered_or_dead, what="the command delivered again, or dead-lettered")
    await channel.close()
    return seen[0]


async def test_a_command_that_kills_its_consumer_every_time_ends_in_the_dead_letters(
    command_env: dict[str, str],
) -> None:
    url = command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client:
        await wait_for_intake(client)  # the service declared its topology; now it is gone
    body = orjson.dumps(hotel_body())
    async with command_sender(url) as sender:
        await sender.send("RegisterHotel", body, correlation_id="deadly")
    async with await aio_pika.connect(url) as connection:
        deliveries = 0
        while await delivered_again(connection):
            deliveries += 1
            assert deliveries <= COMMANDS_DELIVERY_LIMIT + 1, "delivered past the delivery limit"
        assert deliveries == COMMANDS_DELIVERY_LIMIT + 1
        channel = await connection.channel()
        letter = await (await channel.get_queue(COMMANDS_DEAD_LETTER_QUEUE)).get(fail=False)
        assert letter is not None
        assert (letter.body, letter.correlation_id) == (body, "deadly")
        assert letter.headers["x-first-death-reason"] == "delivery_limit"


async def test_a_classic_intake_queue_keeps_the_intake_off_until_it_is_deleted(
    command_env: dict[str, str], log_dir: Path
) -> None:
    url = command_env["RABBITMQ_URL"]
    async with await aio_pika.connect(url) as connection:
        channel = await connection.channel()
        earlier = {"x-dead-letter-exchange": COMMANDS_DEAD_LETTER_EXCHANGE}  # as declared before
        await channel.declare_queue(COMMANDS_QUEUE, durable=True, arguments=earlier)
        service = ServiceProcess("command_service", command_env, free_port(), log_dir)
        async with httpx.AsyncClient(headers=admin(), base_url=service.url, timeout=30) as client:
            await asyncio.to_thread(service.start)
            try:

                async def mismatch_reported() -> bool:
                    return (await client.get("/readyz")).json()["rabbitmq"] == "queue-mismatch"

                await wait_until(mismatch_reported, what="readiness reporting the queue mismatch")
                assert (await client.get("/readyz")).status_code == 200, "commands over HTTP go on"
                assert (await client.post("/hotels", json=hotel_body())).status_code == 202

                await channel.queue_delete(COMMANDS_QUEUE)
                await wait_for_intake(client)
                async with command_sender(url) as sender:
                    await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id="now")
                    await sender.wait_for_replies(1)
                assert sender.reply_to("now")["status"] == "accepted"
            finally:
                await asyncio.to_thread(service.terminate)
    [said] = [orjson.loads(line) for line in service.logs().splitlines() if '"amqp.queue_mismatch"' in line]
    assert said["level"] == "error"
    assert "inequivalent arg 'x-queue-type'" in said["broker_says"]
    assert "delete the queue" in said["fix"]
