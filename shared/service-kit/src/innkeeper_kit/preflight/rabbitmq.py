"""RabbitMQ: reachable, the URL's user and vhost accepted, the exchange types a service declares known
(each comes with a plugin); the management API where a tool needs it (the tests make a vhost each)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import TIMEOUT_SECONDS, Check, Finding
from .where import host_port, path_name, user_of

if TYPE_CHECKING:
    from aio_pika.abc import AbstractConnection

CONSISTENT_HASH = {"x-consistent-hash": "rabbitmq_consistent_hash_exchange"}
"""The projector's and the notifier's shard exchanges: exchange type -> the plugin that brings it."""
START = "start it (sudo systemctl start rabbitmq-server) or point RABBITMQ_URL at it"


def rabbitmq_ready(url: str, exchange_types: Mapping[str, str] | None = None) -> Check:
    """One connection: reachable, user and vhost accepted, each of `exchange_types` (type -> plugin) known."""
    return partial(_first_finding, url, dict(exchange_types or {}))


async def _first_finding(url: str, exchange_types: dict[str, str]) -> Finding | None:
    import aio_pika

    try:
        connection = await asyncio.wait_for(aio_pika.connect(url, timeout=TIMEOUT_SECONDS), TIMEOUT_SECONDS)
    except Exception as error:  # every failure becomes one line
        return _refused(url, error)
    try:
        for exchange_type, plugin in exchange_types.items():
            if not await _type_known(connection, exchange_type):
                return Finding(
                    f"RabbitMQ at {host_port(url, 5672)} has no exchange type {exchange_type}",
                    f"rabbitmq-plugins enable {plugin}",
                )
        return None
    finally:
        await connection.close()


async def _type_known(connection: AbstractConnection, exchange_type: str) -> bool:
    """Declare a throwaway exchange of the type on a channel of its own, then delete it. The broker checks
    the type before the user's permissions: an unknown type closes the connection (COMMAND_INVALID), a
    user who may not configure that name is refused (ACCESS_REFUSED) only after the type was found."""
    from aiormq.exceptions import ChannelAccessRefused, ConnectionCommandInvalid

    name = f"innkeeper.preflight.{uuid.uuid4().hex[:12]}"
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(name, exchange_type, auto_delete=True)
        await exchange.delete()
        await channel.close()
    except ConnectionCommandInvalid:
        return False
    except ChannelAccessRefused:
        return True
    return True


def _refused(url: str, error: Exception) -> Finding:
    from aiormq.exceptions import ProbableAuthenticationError, ProtocolSyntaxError

    where, user, vhost = host_port(url, 5672), user_of(url, "guest"), path_name(url, "/")
    if isinstance(error, ProbableAuthenticationError):
        return Finding(
            f"RabbitMQ at {where} refused user {user} (wrong password or no such user)",
            "check the user and password in RABBITMQ_URL",
        )
    if isinstance(error, ProtocolSyntaxError):  # the broker closed the connection instead of opening it
        return Finding(
            f"RabbitMQ at {where} refused vhost {vhost!r} for user {user} (no such vhost, or no permission)",
            f"fix the vhost in RABBITMQ_URL, or create it (rabbitmqctl add_vhost {vhost}; "
            f"rabbitmqctl set_permissions -p {vhost} {user} '.*' '.*' '.*')",
        )
    return Finding(f"RabbitMQ is not reachable at {where} ({type(error).__name__})", START, unreachable=True)


def rabbitmq_management(amqp_url: str, management_url: str = "") -> Check:
    """The management API answers with the AMQP URL's credentials (default: its host, port 15672)."""
    return partial(_management_finding, amqp_url, management_url)


async def _management_finding(amqp_url: str, management_url: str) -> Finding | None:
    import httpx

    parts = urlsplit(amqp_url)
    base = (management_url or f"http://{parts.hostname or '127.0.0.1'}:15672").rstrip("/")
    api = urlsplit(base)
    user = api.username or parts.username or "guest"
    password = api.password or parts.password or "guest"
    shown = f"{api.scheme}://{api.hostname}:{api.port or 80}"
    try:
        async with httpx.AsyncClient(auth=(user, password), timeout=TIMEOUT_SECONDS) as client:
            answer = await client.get(f"{shown}/api/overview")
    except httpx.HTTPError as error:
        return Finding(
            f"RabbitMQ's management API does not answer at {shown} ({type(error).__name__})",
            "rabbitmq-plugins enable rabbitmq_management (or set RABBITMQ_MANAGEMENT_URL)",
            unreachable=True,
        )
    if answer.status_code == 401:
        return Finding(
            f"RabbitMQ's management API at {shown} refused user {user}",
            "use an administrator in RABBITMQ_URL (rabbitmqctl set_user_tags <user> administrator)",
        )
    if answer.status_code != 200:
        return Finding(
            f"RabbitMQ's management API at {shown} answered {answer.status_code}",
            "check RABBITMQ_MANAGEMENT_URL",
        )
    return None
