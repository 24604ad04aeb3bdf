"""The pieces of the permission story: the services as processes, a sender with its own broker user, and
what the broker and the read model show afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aio_pika
import httpx
import orjson
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pymongo import AsyncMongoClient
from testkit.infra import free_port
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts.documents import ACTIVE_GENERATION_ID, GENERATIONS_COLLECTION
from innkeeper_contracts.topology import COMMANDS_EXCHANGE

DIRECT_REPLY_TO = "amq.rabbitmq.reply-to"


class Sender:
    """Another service sending commands as its own broker user: `user_id` set, replies to `reply_to`."""

    def __init__(self, channel: AbstractChannel, user: str) -> None:
        self.channel, self.user = channel, user
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.sent = 0

    async def on_reply(self, message: AbstractIncomingMessage) -> None:
        if (reply := self.waiting.pop(message.correlation_id or "", None)) is not None:
            reply.set_result(orjson.loads(message.body))

    async def send(self, command: str, body: dict[str, Any], reply_to: str) -> dict[str, Any]:
        self.sent += 1
        correlation_id = f"{self.user}-{self.sent}"
        reply = self.waiting[correlation_id] = asyncio.get_running_loop().create_future()
        message = aio_pika.Message(
            orjson.dumps(body), user_id=self.user, reply_to=reply_to, correlation_id=correlation_id,
            message_id=correlation_id, content_type="application/json",
        )  # fmt: skip
        # Not declared (passive or not): a sender may only write to the exchange.
        exchange = await self.channel.get_exchange(COMMANDS_EXCHANGE, ensure=False)
        await exchange.publish(message, routing_key=command)
        return await asyncio.wait_for(reply, 30)


def start(module: str, env: dict[str, str], log_dir: Path) -> ServiceProcess:
    return ServiceProcess(module, env, free_port(), log_dir).start()


async def wait_ready(process: ServiceProcess, up: str = "") -> None:
    """/readyz answers 200 (and, for the command service, names `up` as up: its AMQP intake)."""
    async with httpx.AsyncClient(base_url=process.url, timeout=5) as client:

        async def ready() -> bool:
            answer = await client.get("/readyz")
            return answer.status_code == 200 and (not up or answer.json().get(up) == "up")

        try:
            await wait_until(ready, 30, f"{process.module} ready")
        except AssertionError as error:
            raise AssertionError(f"{error}\n{process.logs()}") from None


async def consumers(management: httpx.AsyncClient, vhost: str) -> dict[str, set[str]]:
    """Queue → the broker users consuming it (the management API's view, refreshed every few seconds)."""
    answer = await management.get(f"/api/consumers/{quote(vhost, safe='')}")
    answer.raise_for_status()
    found: dict[str, set[str]] = {}
    for consumer in answer.json():
        details = consumer.get("channel_details")
        if not isinstance(details, dict) or "user" not in details:
            continue  # the broker lists a consumer before its channel's details (an empty list): next poll
        found.setdefault(consumer["queue"]["name"], set()).add(details["user"])
    return found


async def read_model_has(env: dict[str, str], documents: dict[str, str]) -> None:
    """Wait until the active generation holds each `{collection: _id}` document; then drop the database."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(env["MONGODB_URL"])
    database = client[env["MONGODB_DATABASE"]]

    async def found() -> bool:
        active = await database[GENERATIONS_COLLECTION].find_one({"_id": ACTIVE_GENERATION_ID})
        for collection, document_id in documents.items():
            named = f"{collection}_{active['generation']}" if active else ""
            if not named or await database[named].find_one({"_id": document_id}) is None:
                return False
        return True

    try:
        await wait_until(found, 30, f"{documents} in the read model")
    finally:
        await client.drop_database(env["MONGODB_DATABASE"])  # the stand-in keeps it in memory
        await client.close()
