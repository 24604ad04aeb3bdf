"""A TCP forwarder in the harness's own event loop, in front of one dependency (PostgreSQL, RabbitMQ, the
store): every service reaches that dependency through it, so the harness can partition them (`cut`), heal
the partition (`restore`) or slow every chunk down (`latency`) without touching the shared servers."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ToxicProxy:
    """Listens on 127.0.0.1:`port` and forwards each connection to `upstream_host`:`upstream_port`."""

    def __init__(
        self, name: str, upstream_port: int, upstream_host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.name = name
        self.upstream_host, self.upstream_port = upstream_host, upstream_port
        self.port = port or free_port()
        self.delay = 0.0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def is_cut(self) -> bool:
        return self._server is None

    async def start(self) -> None:
        """Accept connections on `port` (the same one again after a cut)."""
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    restore = start

    async def cut(self) -> None:
        """Refuse new connections and abort the open ones, both ways: a partition."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    def latency(self, seconds: float) -> None:
        """Deliver every chunk, both ways, `seconds` after it arrived (0 = at once); order is kept."""
        self.delay = max(0.0, seconds)

    async def stop(self) -> None:
        await self.cut()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        except OSError:
            client.transport.abort()
            return
        if self._server is None:  # cut while connecting
            client.transport.abort()
            upstream.transport.abort()
            return
        self._links |= {client, upstream}
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(self._pipe(client_reader, upstream), self._pipe(upstream_reader, client))
        self._links -= {client, upstream}
        if task is not None:
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # A reader and a writer per direction: with latency on, chunks queue with their due time, so the
        # delay is added once per chunk rather than throttling the stream.
        due: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                at, data = await due.get()
                if not data:
                    return
                if (wait := at - time.monotonic()) > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        delivery = asyncio.create_task(deliver())
        try:
            while data := await reader.read(65536):
                due.put_nowait((time.monotonic() + self.delay, data))
                if delivery.done():
                    break
            due.put_nowait((time.monotonic() + self.delay, b""))
            await delivery
        except (ConnectionError, OSError):
            pass
        finally:
            delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError, OSError):
                await delivery
            writer.transport.abort()
