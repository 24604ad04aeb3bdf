"""The open loop's sends do not wait for reads: every command goes out while no read has answered."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import orjson

from bench.fresh_load import run_fresh

Handler = Callable[[str], Awaitable[tuple[int, bytes]]]


async def serve(handle: Handler) -> tuple[asyncio.Server, str]:
    """A minimal keep-alive HTTP/1.1 server on loopback; `handle(method)` gives status and body."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                length = next(
                    (int(h.split(":")[1]) for h in head if h.lower().startswith("content-length")), 0
                )
                await reader.readexactly(length)
                status, body = await handle(head[0].split(" ")[0])
                writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(connection, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def test_reads_held_by_the_query_service_do_not_hold_back_the_commands() -> None:
    commands, total = 0, 40
    every_command_sent = asyncio.Event()

    async def command_service(method: str) -> tuple[int, bytes]:
        nonlocal commands
        commands += 1
        if commands == total:
            every_command_sent.set()
        return 202, orjson.dumps({"aggregate_id": str(uuid.uuid4()), "consistency_token": "t"})

    async def query_service(method: str) -> tuple[int, bytes]:
        await every_command_sent.wait()  # no read answers before the last command was sent
        return 200, b"{}"

    (command_server, command_url), (query_server, query_url) = (
        await serve(command_service),
        await serve(query_service),
    )
    spec = {"url": command_url, "query_url": query_url, "hotels": [["h", ["STD"]]], "rate": 200.0,
            "duration": total / 200.0, "connections": 4, "read_every": 1}  # fmt: skip
    try:
        result = await asyncio.wait_for(run_fresh(spec), timeout=30)
    finally:
        command_server.close()
        query_server.close()
    assert commands == total
    assert result["outcomes"] == {"fresh": total}  # every booking read back, each on its own connection
