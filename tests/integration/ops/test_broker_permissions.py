"""The permission table (deploy/rabbitmq/permissions.json) against the real broker: the command service, the
projector and the notifier run end to end under users that have exactly their rows, a sender under its row
sends commands and gets replies, and every act the table leaves out is refused by RabbitMQ (403)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from aiormq.exceptions import ChannelPreconditionFailed
from flow.payloads import book_stay, register_hotel, room, today
from testkit.infra import management_url
from testkit.mail import MailCatcher
from testkit.waiting import wait_until

from innkeeper_contracts.documents import BOOKINGS, HOTEL_CARDS
from innkeeper_contracts.envelope import event_class
from innkeeper_contracts.events import EVENT_TYPES
from innkeeper_contracts.topology import (
    COMMANDS_EXCHANGE,
    COMMANDS_QUEUE,
    COMMANDS_QUEUE_ARGUMENTS,
    EVENTS_EXCHANGE,
    PARTITION_KEY_HEADER,
    REJECTION_REASON_HEADER,
)
from notifier.topology import DEAD_LETTER_EXCHANGE as NOTIFIER_DLX
from notifier.topology import DEAD_LETTER_QUEUE as NOTIFIER_DEAD_LETTERS
from notifier.topology import HASH_EXCHANGE as NOTIFIER_HASH
from notifier.topology import declare as declare_notifier_topology
from notifier.topology import shard_queue as notifier_shard
from ops.broker import BrokerUsers, broker_users, connected, refused, vhost_of
from ops.broker_story import DIRECT_REPLY_TO, Sender, consumers, read_model_has, start, wait_ready
from projector.topology import declare as declare_projector_topology
from projector.topology import shard_queue

SHARDS = 2
Act = Callable[[AbstractChannel], Awaitable[Any]]


@pytest.fixture
def users(rabbitmq_url: str) -> Iterator[BrokerUsers]:
    with broker_users(rabbitmq_url) as made:
        yield made


async def test_the_services_work_end_to_end_each_under_its_own_narrow_user(
    users: BrokerUsers, service_env: dict[str, str], rabbitmq_url: str, log_dir: Path, tmp_path: Path
) -> None:
    command = users.add("test-command-service", "command-service")
    projector = users.add("test-projector", "projector")
    notifier = users.add("test-notifier", "notifier")
    sender = users.add("test-partner", "sender")
    env = {**service_env, "PROJECTOR_SHARDS": str(SHARDS), "RELAY_POLL_INTERVAL": "0.2"}
    intake = {"AMQP_SENDERS": json.dumps({sender.name: "service"})}
    intake["SERVICE_GRANTS"] = json.dumps({sender.name: ["RegisterHotel", "BookStay"]})
    mail = MailCatcher(tmp_path / "mail", log_dir).start()
    mailing = {"SMTP_URL": mail.url, "NOTIFIER_SHARDS": str(SHARDS), "NOTIFIER_POLL_SECONDS": "0.2"}
    # The consumers first: their shard queues are bound before the relay publishes.
    projector_process = start("projector", {**env, "RABBITMQ_URL": projector.url}, log_dir)
    notifier_process = start("notifier", {**env, **mailing, "RABBITMQ_URL": notifier.url}, log_dir)
    command_process = start("command_service", {**env, **intake, "RABBITMQ_URL": command.url}, log_dir)
    try:
        await wait_ready(projector_process)
        await wait_ready(notifier_process)
        await wait_ready(command_process, "rabbitmq")
        hotel = register_hotel("Permissions Inn", "Oslo", 4, room("DBL", 3, "100.00"))
        stay = book_stay(hotel["hotel_id"], "DBL", today(), 2)
        async with connected(sender) as connection:
            channel = await connection.channel()
            own = await channel.declare_queue(f"innkeeper.replies.{sender.name}", exclusive=True)
            messages = Sender(channel, sender.name)
            await own.consume(messages.on_reply, no_ack=True)
            direct = await channel.get_queue(DIRECT_REPLY_TO, ensure=False)
            await direct.consume(messages.on_reply, no_ack=True)
            assert (await messages.send("RegisterHotel", hotel, own.name))["status"] == "accepted"
            assert (await messages.send("BookStay", stay, DIRECT_REPLY_TO))["status"] == "accepted"
        await read_model_has(env, {HOTEL_CARDS: hotel["hotel_id"], BOOKINGS: stay["booking_id"]})
        # The notifier's hash exchange is bound to the events: the booking's confirmation is mailed.
        guest = stay["guest"]["email"]
        await wait_until(lambda: any(m["To"] == guest for m in mail.messages()), 30, "the guest's mail")
        # What is not an event is dead-lettered by the notifier itself, as its own user.
        await publish_not_an_event(rabbitmq_url, hotel["hotel_id"])
        reason = await dead_lettered(rabbitmq_url)
        assert reason.startswith("invalid event"), reason
        # Every shard is consumed, not only the one this hotel hashes to; each queue by its own service.
        expected = {shard_queue(index): {projector.name} for index in range(SHARDS)}
        expected |= {notifier_shard(index): {notifier.name} for index in range(SHARDS)}
        expected[COMMANDS_QUEUE] = {command.name}
        async with httpx.AsyncClient(base_url=management_url(rabbitmq_url), timeout=10) as management:

            async def consumed() -> bool:
                found = await consumers(management, vhost_of(rabbitmq_url))
                return {queue: found.get(queue) for queue in expected} == expected

            await wait_until(consumed, 30, f"consumers {expected}")
    except BaseException:
        print(command_process.logs(), projector_process.logs(), notifier_process.logs())
        raise
    finally:
        for process in (command_process, projector_process, notifier_process):
            process.__exit__(None)
        mail.stop()


async def publish_not_an_event(admin_url: str, hotel_id: str) -> None:
    """A message on a route the notifier consumes that is no event (as the admin: nobody else may)."""
    async with await aio_pika.connect(admin_url) as connection:
        channel = await connection.channel()
        events = await channel.get_exchange(EVENTS_EXCHANGE, ensure=False)
        message = aio_pika.Message(b"not an event", headers={PARTITION_KEY_HEADER: hotel_id})
        await events.publish(message, routing_key=event_class("GuestNotificationRequested").routing_key())


async def dead_lettered(admin_url: str) -> str:
    """The rejection reason of the first message in the notifier's dead-letter queue (waits for one)."""
    async with await aio_pika.connect(admin_url) as connection:
        channel = await connection.channel()
        letters = await channel.get_queue(NOTIFIER_DEAD_LETTERS, ensure=False)
        taken: list[AbstractIncomingMessage] = []

        async def arrived() -> bool:
            if (message := await letters.get(fail=False, no_ack=True)) is not None:
                taken.append(message)
            return bool(taken)

        await wait_until(arrived, 30, f"a message in {NOTIFIER_DEAD_LETTERS}", every=0.2)
        return str((taken[0].headers or {}).get(REJECTION_REASON_HEADER, ""))


async def test_the_notifier_user_declares_binds_consumes_and_dead_letters_its_own_topology(
    users: BrokerUsers, rabbitmq_url: str
) -> None:
    """What the notifier does, nothing declared before it (it may start first), for any event type a
    webhook subscriber may name; a second replica declares the same again."""
    notifier = users.add("test-notifier", "notifier")
    async with connected(notifier) as connection:
        channel = await connection.channel()
        for _replica in range(2):
            await declare_notifier_topology(channel, SHARDS, EVENT_TYPES)
        await publish_as_admin(rabbitmq_url, SHARDS * 8)
        taken: list[str] = []

        async def take_in(message: AbstractIncomingMessage) -> None:
            taken.append(message.routing_key or "")
            await message.ack()

        for index in range(SHARDS):
            shard = await channel.get_queue(notifier_shard(index))  # passive, as the intake does
            await shard.consume(take_in)
        await wait_until(lambda: len(taken) == SHARDS * 8, 10, "every event in a shard, through the hash")
        await publish(channel, NOTIFIER_DLX, "")
    assert (await dead_letters_waiting(rabbitmq_url)) == 1


async def publish_as_admin(admin_url: str, count: int) -> None:
    """`count` events of as many hotels on the events exchange, as the command service's relay would."""
    async with await aio_pika.connect(admin_url) as connection:
        channel = await connection.channel()
        events = await channel.get_exchange(EVENTS_EXCHANGE, ensure=False)
        routing_key = event_class("ManagementAlertRaised").routing_key()
        for index in range(count):
            message = aio_pika.Message(b"{}", headers={PARTITION_KEY_HEADER: f"hotel-{index}"})
            await events.publish(message, routing_key=routing_key)


async def dead_letters_waiting(admin_url: str) -> int:
    async with await aio_pika.connect(admin_url) as connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(NOTIFIER_DEAD_LETTERS, passive=True)
        return declared.declaration_result.message_count or 0


async def publish(channel: AbstractChannel, exchange: str, routing_key: str) -> None:
    message = aio_pika.Message(b"{}", content_type="application/json")
    target = channel.default_exchange if not exchange else await channel.get_exchange(exchange, ensure=False)
    await target.publish(message, routing_key=routing_key)  # confirmed: a refusal raises here


async def consume(channel: AbstractChannel, queue: str) -> None:
    async def ignore(message: AbstractIncomingMessage) -> None:
        pass

    await (await channel.get_queue(queue, ensure=False)).consume(ignore)


async def take(channel: AbstractChannel, queue: str) -> None:
    await (await channel.get_queue(queue, ensure=False)).get(fail=False)


FORBIDDEN: list[tuple[str, str, Act]] = [
    ("sender", "publishes an event", lambda ch: publish(ch, EVENTS_EXCHANGE, "booking.stay_booked")),
    ("sender", "consumes the intake queue", lambda ch: consume(ch, COMMANDS_QUEUE)),
    ("sender", "publishes straight into a queue", lambda ch: publish(ch, "", COMMANDS_QUEUE)),
    ("sender", "declares another's reply queue", lambda ch: ch.declare_queue("innkeeper.replies.other")),
    ("projector", "publishes a command", lambda ch: publish(ch, COMMANDS_EXCHANGE, "BookStay")),
    ("projector", "publishes an event", lambda ch: publish(ch, EVENTS_EXCHANGE, "booking.stay_booked")),
    ("projector", "publishes straight into a queue", lambda ch: publish(ch, "", COMMANDS_QUEUE)),
    ("projector", "takes a command", lambda ch: take(ch, COMMANDS_QUEUE)),
    ("command-service", "takes from a projector shard", lambda ch: take(ch, shard_queue(0))),
    ("command-service", "consumes a projector shard", lambda ch: consume(ch, shard_queue(1))),
    ("command-service", "publishes a command", lambda ch: publish(ch, COMMANDS_EXCHANGE, "BookStay")),
    ("command-service", "consumes a notifier shard", lambda ch: consume(ch, notifier_shard(0))),
    ("projector", "consumes a notifier shard", lambda ch: consume(ch, notifier_shard(1))),
    ("projector", "publishes to the notifier's dead letters", lambda ch: publish(ch, NOTIFIER_DLX, "")),
    ("notifier", "publishes an event", lambda ch: publish(ch, EVENTS_EXCHANGE, "booking.stay_booked")),
    ("notifier", "publishes a command", lambda ch: publish(ch, COMMANDS_EXCHANGE, "BookStay")),
    ("notifier", "publishes straight into a queue", lambda ch: publish(ch, "", notifier_shard(0))),
    ("notifier", "takes a command", lambda ch: take(ch, COMMANDS_QUEUE)),
    ("notifier", "consumes a projector shard", lambda ch: consume(ch, shard_queue(0))),
    ("notifier", "takes from its dead-letter queue", lambda ch: take(ch, NOTIFIER_DEAD_LETTERS)),
    ("notifier", "routes commands to its shards", lambda ch: bind(ch, NOTIFIER_HASH, COMMANDS_EXCHANGE)),
    ("notifier", "declares a queue it does not use", lambda ch: ch.declare_queue("innkeeper.notifier.extra")),
]


async def bind(channel: AbstractChannel, destination: str, source: str) -> None:
    await (await channel.get_exchange(destination, ensure=False)).bind(source, routing_key="#")


async def declare_topology(admin_url: str) -> None:
    """What the services declare, declared by the admin: so a refusal is about rights, not a missing name."""
    async with await aio_pika.connect(admin_url) as connection:
        channel = await connection.channel()
        await declare_projector_topology(channel, SHARDS)  # also the events exchange
        await declare_notifier_topology(channel, SHARDS, EVENT_TYPES)
        direct = aio_pika.ExchangeType.DIRECT
        commands = await channel.declare_exchange(COMMANDS_EXCHANGE, direct, durable=True)
        intake = await channel.declare_queue(
            COMMANDS_QUEUE, durable=True, arguments=dict(COMMANDS_QUEUE_ARGUMENTS)
        )
        await intake.bind(commands, "BookStay")


@pytest.mark.parametrize(("role", "act"), [(role, act) for role, _, act in FORBIDDEN],
                         ids=[f"the {role} {what}" for role, what, _ in FORBIDDEN])  # fmt: skip
async def test_what_the_table_leaves_out_is_refused_by_the_broker(
    role: str, act: Act, users: BrokerUsers, rabbitmq_url: str
) -> None:
    await declare_topology(rabbitmq_url)
    async with connected(users.add(f"test-{role}", role)) as connection:
        await refused(act(await connection.channel()))


async def test_a_sender_cannot_claim_another_broker_users_identity(
    users: BrokerUsers, rabbitmq_url: str
) -> None:
    """Why the intake may trust `user_id`: RabbitMQ refuses a message naming a user other than its own."""
    await declare_topology(rabbitmq_url)
    sender = users.add("test-sender", "sender")
    async with connected(sender) as connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(COMMANDS_EXCHANGE, ensure=False)
        message = aio_pika.Message(b"{}", user_id="partner-portal")
        with pytest.raises(ChannelPreconditionFailed, match="user_id property set to 'partner-portal'"):
            await exchange.publish(message, routing_key="BookStay")
