"""RabbitMQ users for the permission tests: the table in deploy/rabbitmq/permissions.json, made real.

Users are broker-wide (only their permissions are per vhost), so every test user gets a unique name and
is deleted afterwards; the vhost is the test's own (`rabbitmq_url`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from aiormq.exceptions import ChannelAccessRefused
from testkit.infra import management_url, unique_name

from ops.repo import ROOT

PERMISSIONS_FILE = ROOT / "deploy" / "rabbitmq" / "permissions.json"
DEFINITIONS_FILE = ROOT / "deploy" / "rabbitmq" / "definitions.json"
KINDS = ("configure", "write", "read")


@cache
def permission_table() -> dict[str, dict[str, str]]:
    roles: dict[str, dict[str, str]] = json.loads(PERMISSIONS_FILE.read_text())["roles"]
    return roles


def permissions_for(role: str, user: str) -> dict[str, str]:
    """The role's configure/write/read patterns, `{user}` filled in as permissions.json says."""
    escaped = re.sub(r"[^A-Za-z0-9_-]", lambda found: "\\" + found.group(), user)
    return {kind: permission_table()[role][kind].replace("{user}", escaped) for kind in KINDS}


def password_matches(password: str, password_hash: str) -> bool:
    """rabbit_password_hashing_sha256: base64(salt(4 bytes) + sha256(salt + password))."""
    raw = base64.b64decode(password_hash)
    salt, digest = raw[:4], raw[4:]
    return hashlib.sha256(salt + password.encode()).digest() == digest


def vhost_of(amqp_url: str) -> str:
    return unquote(urlsplit(amqp_url).path[1:]) or "/"


def as_user(amqp_url: str, user: str, password: str) -> str:
    """The same broker and vhost, another user."""
    parts = urlsplit(amqp_url)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc))


@dataclass(frozen=True)
class BrokerUser:
    name: str
    url: str


class BrokerUsers:
    """Makes users through the management API (admin = the credentials of `amqp_url`), deletes them."""

    def __init__(self, amqp_url: str) -> None:
        self.amqp_url, self.vhost = amqp_url, vhost_of(amqp_url)
        self.api = httpx.Client(base_url=management_url(amqp_url), timeout=10)
        self.made: list[str] = []

    def add(
        self,
        prefix: str,
        role: str = "",
        *,
        permissions: dict[str, str] | None = None,
        password: str = "",
        password_hash: str = "",
    ) -> BrokerUser:
        """A new user (no tags: no management access) with the table's permissions of `role` (`{user}` =
        its own name), else `permissions`, else none, on the test's vhost. Its password is `password` (a
        random one by default) or, given `password_hash`, whatever that hash is of."""
        name = unique_name(prefix).replace("_", "-")
        password = password or secrets.token_urlsafe(16)
        secret: dict[str, str] = {"password": password}
        if password_hash:
            secret = {"password_hash": password_hash, "hashing_algorithm": "rabbit_password_hashing_sha256"}
        self.api.put(f"/api/users/{name}", json={"tags": "", **secret}).raise_for_status()
        self.made.append(name)
        granted = permissions_for(role, name) if role else permissions or dict.fromkeys(KINDS, "^$")
        self.api.put(f"/api/permissions/{quote(self.vhost, safe='')}/{name}", json=granted).raise_for_status()
        return BrokerUser(name, as_user(self.amqp_url, name, password))

    def close(self) -> None:
        for name in self.made:
            self.api.delete(f"/api/users/{name}")
        self.api.close()


@contextmanager
def broker_users(amqp_url: str) -> Iterator[BrokerUsers]:
    users = BrokerUsers(amqp_url)
    try:
        yield users
    finally:
        users.close()


@asynccontextmanager
async def connected(user: BrokerUser) -> AsyncIterator[AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(user.url)
    try:
        yield connection
    finally:
        await connection.close()


async def refused(act: Awaitable[Any]) -> str:
    """Run one AMQP act that the broker must refuse with ACCESS_REFUSED (403); returns its reason."""
    with pytest.raises(ChannelAccessRefused) as refusal:
        await act
    reason = str(refusal.value)
    assert "ACCESS_REFUSED" in reason, reason
    return reason
