"""Headers no dead letter could carry: a command message whose headers nearly fill an AMQP frame is
dead-lettered with its reason and without them, and the intake's connection stays up — a dead letter
that copied them would overflow the frame, and RabbitMQ would close the whole connection (returning
every other sender's unacked commands, on every redelivery of the poison)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit

import httpx
import orjson
from command_support import (
    command_client,
    command_sender,
    dead_letters,
    dead_letters_now,
    fetchval,
    hotel_body,
    wait_for_intake,
)
from testkit.infra import management_url
from testkit.waiting import wait_until

from innkeeper_contracts import COMMANDS
from innkeeper_contracts.topology import COMMANDS_QUEUE, REJECTION_REASON_HEADER

FRAME_MAX = 131_072
"""RabbitMQ's default frame size (128 KiB): a message's properties, headers included, travel in one frame."""
STUFFING = FRAME_MAX - 1_024
"""Headers that fit the frame, but not together with a 1,000-character rejection reason."""
VALID_AFTER = 20


def connections(rabbitmq_url: str) -> set[str]:
    """The names of the connections open on the test's virtual host (a reconnect gets a new name)."""
    vhost = quote(unquote(urlsplit(rabbitmq_url).path[1:]), safe="")
    answer = httpx.get(f"{management_url(rabbitmq_url)}/api/vhosts/{vhost}/connections", timeout=10)
    answer.raise_for_status()
    return {connection["name"] for connection in answer.json()}


async def test_a_header_stuffed_message_is_dead_lettered_and_the_intake_stays_connected(
    command_env: dict[str, str],
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with (
        command_client(command_env, relay_enabled=False) as client,
        command_sender(url) as sender,
    ):
        await wait_for_intake(client)
        await wait_until(lambda: len(connections(url)) == 2, what="the intake's and the sender's connections")
        before = connections(url)
        # Invalid (an unknown field with a long name), so the old intake dead-lettered it with a
        # 1,000-character reason on top of the headers it copied.
        poison = orjson.dumps(hotel_body() | {"x" * 1_000: 1})
        headers: dict[str, Any] = {"stuffing": "x" * STUFFING}
        await sender.send("RegisterHotel", poison, correlation_id="stuffed", headers=headers)
        for number in range(VALID_AFTER):
            await sender.send("RegisterHotel", orjson.dumps(hotel_body()), correlation_id=f"valid-{number}")
        await sender.wait_for_replies(1 + VALID_AFTER)
        [letter] = await dead_letters(url, 1)
        assert connections(url) == before, "the intake never lost its connection"
        channel = sender.channel
        queue = await channel.declare_queue(COMMANDS_QUEUE, passive=True)
        assert queue.declaration_result.consumer_count == len(COMMANDS), "every consumer still there"

    refusal = sender.reply_to("stuffed")
    assert (refusal["status"], refusal["type"]) == (431, "https://innkeeper.dev/problems/too-large")
    assert str(letter.headers[REJECTION_REASON_HEADER]).startswith("too-large: the headers have")
    assert "stuffing" not in letter.headers, "a sender's headers are never copied into a dead letter"
    assert (letter.correlation_id, letter.body) == ("stuffed", poison)
    for number in range(VALID_AFTER):
        assert sender.reply_to(f"valid-{number}")["status"] == "accepted"
    assert await fetchval(dsn, "SELECT count(*) FROM hotels") == VALID_AFTER
    assert await dead_letters_now(url) == 0, "nothing else was dead-lettered"
