"""The AMQP client's replies: a collision or a 5xx reply is not the command's answer, so the next attempt
sends again and waits for a new reply (found by the failpoint-command scenario: a cached collision was
read back eight times and the command recorded as refused while a copy of it was accepted)."""

import asyncio
import json
from typing import Any

from conformance.commands import Command
from conformance.transport_amqp import AmqpClient

PROBLEM = "https://innkeeper.dev/problems/"
COMMAND = Command("SetNightlyRate", {"hotel_id": "h"})


class Exchange:
    """Records each publish and answers it at once with the next scripted reply."""

    def __init__(self, client: AmqpClient, *replies: dict[str, Any]) -> None:
        self.client, self.replies, self.published = client, list(replies), 0

    async def publish(self, message: Any, routing_key: str) -> None:
        self.published += 1
        reply = self.replies.pop(0)
        asyncio.get_running_loop().call_soon(self.client.replies[message.correlation_id].set_result, reply)


async def test_a_collision_reply_is_not_read_back_by_the_next_attempt() -> None:
    client = AmqpClient("amqp-0", "amqp://guest:guest@127.0.0.1:5672/")
    collision = {"status": 409, "type": PROBLEM + "conflict"}
    accepted = {"status": "accepted", "command": "SetNightlyRate", "aggregate_id": "h"}
    exchange = client.exchange = Exchange(client, collision, accepted)  # type: ignore[assignment]

    first = await client.attempt(COMMAND, "key-1", wait=1)
    second = await client.attempt(COMMAND, "key-1", wait=1)

    assert (first.outcome, second.outcome) == ("collision", "accepted")
    assert exchange.published == 2
    assert json.dumps(second.reply, sort_keys=True) == json.dumps(accepted, sort_keys=True)


async def test_an_accepted_reply_answers_every_later_attempt_without_sending_again() -> None:
    client = AmqpClient("amqp-0", "amqp://guest:guest@127.0.0.1:5672/")
    exchange = client.exchange = Exchange(client, {"status": "accepted", "aggregate_id": "h"})  # type: ignore[assignment]

    assert (await client.attempt(COMMAND, "key-2", wait=1)).outcome == "accepted"
    assert (await client.attempt(COMMAND, "key-2", wait=1)).outcome == "accepted"
    assert exchange.published == 1
