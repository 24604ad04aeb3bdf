"""`InnkeeperClient`: the two HTTP services as one object, with every command and query method.

Innkeeper's commands and queries are two services. Behind one front door that routes both (a gateway),
give `base_url`; `make run` and docker compose publish them apart (8001 and 8002): give `command_url`
and `query_url`. Nothing connects until the first call; `async with` closes the connection pools."""

from __future__ import annotations

from types import TracebackType

import httpx

from .calling import RetryPolicy
from .commands import CommandClient
from .queries import QueryClient

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
"""Per attempt: a command answers once committed (milliseconds), a read waits at most a few seconds for
a consistency token."""


class InnkeeperClient(CommandClient, QueryClient):
    """Typed async calls on Innkeeper's HTTP APIs as one caller (`token`: a bearer token, or None for the
    public catalogue): the methods of `CommandClient` and of `QueryClient`."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        command_url: str | None = None,
        query_url: str | None = None,
        token: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        command_url, query_url = command_url or base_url, query_url or base_url
        if command_url is None or query_url is None:
            raise ValueError("give base_url (one front door), or command_url and query_url")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = [
            httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, transport=transport)
            for url in (command_url, query_url)
        ]
        CommandClient.__init__(self, self._http[0], retry)
        QueryClient.__init__(self, self._http[1], retry)

    async def aclose(self) -> None:
        for http in self._http:
            await http.aclose()

    async def __aenter__(self) -> InnkeeperClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
