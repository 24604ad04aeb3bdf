"""Reading the query service the way a frontend does after a command: with the command's token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx
from testkit.amqp import command_messenger
from testkit.auth import admin
from testkit.commands import HttpCommands
from testkit.innkeeper import Innkeeper

from innkeeper_contracts import ConsistencyToken


class Commands(Protocol):
    """Sends one command by name (full JSON body) and returns the answer (accepted or rejected)."""

    async def send(
        self, command: str, body: dict[str, Any], *, message_id: str | None = None
    ) -> dict[str, Any]: ...


@asynccontextmanager
async def commands_over(transport: str, system: Innkeeper) -> AsyncIterator[Commands]:
    """Commands as a frontend (HTTP) or as another service (AMQP with reply_to)."""
    if transport == "amqp":
        async with command_messenger(system.env["RABBITMQ_URL"]) as messenger:
            yield messenger
    else:
        assert system.command is not None
        async with httpx.AsyncClient(headers=admin(), base_url=system.command.url, timeout=30) as client:
            yield HttpCommands(client)


async def read_fresh(client: httpx.AsyncClient, path: str, token: ConsistencyToken) -> Any:
    """ONE read with the token: it must answer 200 and say it caught up; returns the body."""
    response = await client.get(path, headers={"X-Consistency-Token": token.encode()})
    assert response.status_code == 200, (path, response.status_code, response.text)
    assert response.headers["x-consistency"] == "caught-up", (path, dict(response.headers))
    assert int(response.headers["x-read-model-position"]) >= token.global_position
    return response.json()
