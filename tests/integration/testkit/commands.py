"""Innkeeper commands over HTTP (a frontend) by command name, the same way AMQP names them: the
integrators' client (`innkeeper_client`) with the answer as JSON, accepted or rejected, for tests that
assert on either."""

from __future__ import annotations

from typing import Any

import httpx

from innkeeper_client import NO_RETRIES, CommandClient, CommandRejectedError
from innkeeper_client.commands import command_request
from innkeeper_contracts import CommandAccepted, ConsistencyToken

__all__ = ["HttpCommands", "accepted", "command_request"]


class HttpCommands:
    """Sends commands to a command service over HTTP and returns the answer's JSON. No retries: a test
    sees the service's first answer, a 503 included."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client, self.commands = client, CommandClient(client, NO_RETRIES)

    async def send(
        self, command: str, body: dict[str, Any], *, message_id: str | None = None, **_: Any
    ) -> dict[str, Any]:
        try:
            answer = await self.commands.send(command, body, idempotency_key=message_id)
        except CommandRejectedError as rejected:
            return rejected.problem.model_dump(mode="json")
        return answer.model_dump(mode="json")


def accepted(reply: dict[str, Any]) -> tuple[CommandAccepted, ConsistencyToken]:
    """Assert a reply is CommandAccepted; return it and its decoded consistency token."""
    assert reply.get("status") == "accepted", reply
    answer = CommandAccepted.model_validate(reply)
    return answer, ConsistencyToken.decode(answer.consistency_token)
