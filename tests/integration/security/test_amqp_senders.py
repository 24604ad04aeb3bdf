"""AMQP senders are who the broker says they are: the `user_id` property, checked by RabbitMQ against
the connection's user, mapped to a role by AMQP_SENDERS; replies go only where they may.

Broker users are made per test (the management API, on the test's own vhost) and deleted after.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from uuid import uuid4

import aio_pika
import httpx
import orjson
import pytest
from aiormq.exceptions import ChannelPreconditionFailed
from flow.payloads import register_hotel, room
from testkit.infra import management_url, unique_name
from testkit.innkeeper import Innkeeper
from testkit.waiting import wait_until

from innkeeper_contracts.topology import COMMANDS_EXCHANGE

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


@contextmanager
def broker_user(amqp_url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """A user that may publish commands and use its own reply queues on the test's vhost: (name, URL)."""
    name, password = unique_name(prefix).replace("_", "-"), uuid4().hex
    vhost = quote(unquote(urlsplit(amqp_url).path[1:]), safe="")
    with httpx.Client(base_url=management_url(amqp_url), timeout=10) as api:
        api.put(f"/api/users/{name}", json={"password": password, "tags": ""}).raise_for_status()
        permissions = {
            "configure": "^innkeeper\\.replies\\..*",
            "write": ".*",
            "read": "^innkeeper\\.replies\\..*",
        }
        api.put(f"/api/permissions/{vhost}/{name}", json=permissions).raise_for_status()
        try:
            parts = urlsplit(amqp_url)
            yield (
                name,
                urlunsplit(parts._replace(netloc=f"{name}:{password}@{parts.hostname}:{parts.port or 5672}")),
            )
        finally:
            api.delete(f"/api/users/{name}")


class Sender:
    """One broker connection that publishes commands and collects replies on its own reply queue
    (`innkeeper.replies.<user>.<id>`) and on direct reply-to (`direct=True`)."""

    def __init__(self, channel: aio_pika.abc.AbstractChannel, replies: aio_pika.abc.AbstractQueue) -> None:
        self.channel, self.replies_queue = channel, replies
        self.replies: dict[str, dict[str, Any]] = {}

    async def on_reply(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.replies[message.correlation_id or ""] = orjson.loads(message.body)

    async def send(
        self,
        command: str,
        body: dict[str, Any],
        *,
        reply_to: str | None = None,
        direct: bool = False,
        **props: Any,
    ) -> str:
        correlation_id = uuid4().hex
        message = aio_pika.Message(
            orjson.dumps(body),
            correlation_id=correlation_id,
            reply_to=DIRECT_REPLY_TO if direct else reply_to or self.replies_queue.name,
            content_type="application/json",
            **props,
        )
        exchange = await self.channel.get_exchange(COMMANDS_EXCHANGE)
        await exchange.publish(message, routing_key=command)
        return correlation_id

    async def reply(self, correlation_id: str) -> dict[str, Any]:
        await wait_until(lambda: correlation_id in self.replies, 20, "the command's reply")
        return self.replies[correlation_id]


async def connect(url: str, user: str) -> tuple[aio_pika.abc.AbstractConnection, Sender]:
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    queue = await channel.declare_queue(f"innkeeper.replies.{user}.{uuid4().hex}", exclusive=True)
    sender = Sender(channel, queue)
    await queue.consume(sender.on_reply, no_ack=True)
    direct = await channel.get_queue(DIRECT_REPLY_TO, ensure=False)
    await direct.consume(sender.on_reply, no_ack=True)  # before publishing, on the publishing channel
    return connection, sender


@pytest.fixture
async def senders(security_env: dict[str, str], log_dir: Path) -> AsyncIterator[dict[str, Any]]:
    """The system with two extra broker users: `partner` (a service granted BookStay and CancelBooking)
    and `stranger` (no mapping); plus the test's own user (`guest`, granted everything)."""
    url = security_env["RABBITMQ_URL"]
    with broker_user(url, "partner") as partner, broker_user(url, "stranger") as stranger:
        env = {
            **security_env,
            "AMQP_SENDERS": f'{{"guest": "service", "{partner[0]}": "service"}}',
            "SERVICE_GRANTS": f'{{"guest": "*", "{partner[0]}": ["BookStay", "CancelBooking"]}}',
        }
        system = Innkeeper(env, log_dir)
        await system.start()
        connections = []
        try:
            users: dict[str, Any] = {"system": system}
            for key, (name, user_url) in {
                "guest": ("guest", url),
                "partner": partner,
                "stranger": stranger,
            }.items():
                connection, sender = await connect(user_url, name)
                connections.append(connection)
                users[key], users[f"{key}_name"] = sender, name
            yield users
        finally:
            for connection in connections:
                await connection.close()
            await system.close()


async def events_of(system: Innkeeper, aggregate_id: str) -> int:
    rows = await system.fetch("SELECT count(*) AS n FROM events WHERE aggregate_id = $1::uuid", aggregate_id)
    return int(rows[0]["n"])


async def test_mapped_senders_act_as_granted_and_the_others_are_refused(senders: dict[str, Any]) -> None:
    guest, partner, stranger = senders["guest"], senders["partner"], senders["stranger"]
    hotels = [register_hotel(f"Inn {n}", "Bergen", 3, room("DBL", 2, "90.00")) for n in range(4)]

    accepted = await guest.reply(await guest.send("RegisterHotel", hotels[0], user_id="guest"))
    anonymous = await guest.reply(await guest.send("RegisterHotel", hotels[1], direct=True))
    unmapped = await stranger.reply(
        await stranger.send("RegisterHotel", hotels[2], user_id=senders["stranger_name"], direct=True)
    )
    not_granted = await partner.reply(
        await partner.send("RegisterHotel", hotels[3], user_id=senders["partner_name"])
    )

    assert accepted["status"] == "accepted"
    assert (anonymous["status"], anonymous["type"]) == (401, "https://innkeeper.dev/problems/unauthenticated")
    assert (unmapped["status"], unmapped["type"]) == (403, "https://innkeeper.dev/problems/forbidden")
    assert (not_granted["status"], not_granted["type"]) == (403, "https://innkeeper.dev/problems/forbidden")
    assert [await events_of(senders["system"], hotel["hotel_id"]) for hotel in hotels] == [1, 0, 0, 0]
    assert await dead_letters(senders["system"]) == 0, "an unknown sender's message is not even read"


async def test_no_sender_can_plant_an_answer_in_another_senders_queue(senders: dict[str, Any]) -> None:
    """The answers someone else waits for cannot be forged: not by a stranger, not by a mapped sender."""
    guest, partner, stranger, system = (
        senders["guest"],
        senders["partner"],
        senders["stranger"],
        senders["system"],
    )
    target = guest.replies_queue.name
    hotel = register_hotel("Forged Inn", "Bergen", 3, room("DBL", 2, "90.00"))
    planted = [
        await stranger.send("RegisterHotel", hotel, reply_to=target),  # anonymous
        await stranger.send("RegisterHotel", hotel, reply_to=target, user_id=senders["stranger_name"]),
        await partner.send("BookStay", {"hotel_id": hotel["hotel_id"]}, reply_to=target,
                           user_id=senders["partner_name"]),
        await partner.send("RegisterHotel", hotel, reply_to=target, user_id=senders["partner_name"]),
    ]  # fmt: skip

    async def refused_three_times() -> bool:
        assert system.command is not None
        return system.command.logs().count("amqp.reply_to_refused") >= 3

    await wait_until(refused_three_times, 20, "the answers refused their reply_to")
    await asyncio.sleep(0.5)
    assert not set(planted) & set(guest.replies), "no answer reached the guest's reply queue"


async def dead_letters(system: Innkeeper) -> int:
    connection = await aio_pika.connect(system.env["RABBITMQ_URL"])
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue("innkeeper.commands.dead-letter", passive=True)
        return queue.declaration_result.message_count or 0
    finally:
        await connection.close()


async def test_a_spoofed_user_id_is_refused_by_the_broker_itself(senders: dict[str, Any]) -> None:
    stranger = senders["stranger"]
    hotel = register_hotel("Spoofed Inn", "Bergen", 3, room("DBL", 2, "90.00"))
    with pytest.raises(ChannelPreconditionFailed, match="user_id"):  # the publisher confirm says so
        await stranger.send("RegisterHotel", hotel, user_id="guest")
    await asyncio.sleep(1)
    assert await events_of(senders["system"], hotel["hotel_id"]) == 0


async def test_replies_go_to_direct_reply_to_or_the_senders_own_queues_only(senders: dict[str, Any]) -> None:
    guest, system = senders["guest"], senders["system"]
    victim = await guest.channel.declare_queue(f"victim.{uuid4().hex}", exclusive=True)
    hotel = register_hotel("Quiet Inn", "Bergen", 3, room("DBL", 2, "90.00"))
    await guest.send("RegisterHotel", hotel, user_id="guest", reply_to=victim.name)
    await wait_until(lambda: events_of(system, hotel["hotel_id"]), 20, "the command applied")
    await asyncio.sleep(0.5)
    declared = await guest.channel.declare_queue(victim.name, passive=True)
    assert declared.declaration_result.message_count == 0, "no reply was published into another queue"
    assert system.command is not None
    assert "amqp.reply_to_refused" in system.command.logs()

    # Direct reply-to: the broker ties it to the channel the command was published on.
    other = register_hotel("Direct Inn", "Bergen", 3, room("DBL", 2, "90.00"))
    answer = await guest.reply(await guest.send("RegisterHotel", other, user_id="guest", direct=True))
    assert answer["status"] == "accepted"
