"""The ToxicProxy against a local echo server: it forwards, a cut refuses and breaks connections, a restore
brings the same port back, and latency delays every chunk yet keeps the stream intact and in order."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import pytest

from conformance.proxy import ToxicProxy


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(1024):
        writer.write(data)
        await writer.drain()
    writer.close()


@pytest.fixture
async def proxy() -> AsyncIterator[ToxicProxy]:
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    proxy = ToxicProxy("echo", server.sockets[0].getsockname()[1])
    await proxy.start()
    yield proxy
    await proxy.stop()
    server.close()


async def roundtrip(port: int, payload: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(payload)
    await writer.drain()
    answer = await asyncio.wait_for(reader.readexactly(len(payload)), 10)
    writer.close()
    return answer


async def test_it_forwards_both_ways(proxy: ToxicProxy) -> None:
    assert await roundtrip(proxy.port, b"hello") == b"hello"


async def test_a_cut_refuses_new_connections_and_breaks_open_ones_until_restored(proxy: ToxicProxy) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"x")
    assert await asyncio.wait_for(reader.readexactly(1), 10) == b"x"

    await proxy.cut()
    assert proxy.is_cut
    with contextlib.suppress(ConnectionResetError):  # the open one closed under it (maybe by a reset)
        assert await asyncio.wait_for(reader.read(1), 10) == b""
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", proxy.port)

    await proxy.restore()
    assert await roundtrip(proxy.port, b"again") == b"again"


async def test_latency_delays_each_chunk_and_keeps_the_order(proxy: ToxicProxy) -> None:
    proxy.latency(0.2)
    payload = b"".join(f"{n:05d}".encode() for n in range(2000))
    started = time.monotonic()
    assert await roundtrip(proxy.port, payload) == payload
    assert time.monotonic() - started >= 0.4  # once each way
    proxy.latency(0)
    assert await roundtrip(proxy.port, b"quick") == b"quick"
