"""A TCP forwarder a test can cut and restore: takes PostgreSQL, RabbitMQ or MongoDB "down" for one
service without touching the shared servers that other tests use."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit

from testkit.infra import free_port


class TcpProxy:
    """Listens on `port` and forwards every connection to 127.0.0.1:`target_port` until `cut()`."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []

    @classmethod
    def to(cls, url: str, default_port: int) -> TcpProxy:
        """A proxy to the host:port of `url` (started with `start()`)."""
        return cls(urlsplit(url).port or default_port)

    async def start(self) -> None:
        """Accept connections (again, after a cut) on the same port."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    restore = start

    async def cut(self) -> None:
        """Refuse new connections and break the open ones."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for client, upstream in self._links:
            client.transport.abort()
            upstream.transport.abort()
        self._links.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client.transport.abort()
            return
        self._links.append((client, upstream))
        # Cancelled when the test's loop closes with links open: end quietly (no "never retrieved" noise).
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(_pipe(client_reader, upstream), _pipe(upstream_reader, client))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.transport.abort()


def through(url: str, proxy: TcpProxy) -> str:
    """The same URL (user, database, vhost, query) with the proxy's port on 127.0.0.1."""
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{proxy.port}"))
