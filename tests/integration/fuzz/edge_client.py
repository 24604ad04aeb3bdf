"""HTTP clients of the edge tests: one keep-alive connection, a way to tell it was kept, and raw bytes on
a socket for what an HTTP client would not send."""

from __future__ import annotations

import asyncio

import httpx
from testkit.auth import admin
from testkit.services import ServiceProcess


def http(process: ServiceProcess, **headers: str) -> httpx.AsyncClient:
    """One keep-alive connection to the process, as an admin (extra headers on every request)."""
    limits = httpx.Limits(max_connections=1)
    return httpx.AsyncClient(base_url=process.url, headers={**admin(), **headers}, limits=limits, timeout=10)


def connection_of(response: httpx.Response) -> object:
    """The client end (address, port) of the connection the answer came on, while it is open: equal
    ends, one connection."""
    stream = response.extensions["network_stream"]
    return stream.get_extra_info("client_addr")


GUARD_SECONDS = 30
"""How long a raw exchange waits for the answer and the close before the test fails: not a timing under
test (a service without a bound on the body's arrival never answers at all)."""


async def raw_exchange(process: ServiceProcess, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` byte for byte on a new connection, then read until the service closes it: the
    status, the headers (names in lower case) and the body."""
    reader, writer = await asyncio.open_connection("127.0.0.1", process.port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), GUARD_SECONDS)
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


def short_body(method: str, path: str, declared: int, sent: bytes) -> bytes:
    """A request whose `Content-Length` promises more than the bytes that follow, without a token."""
    head = f"{method} {path} HTTP/1.1\r\nHost: innkeeper\r\nContent-Type: application/json\r\n"
    return f"{head}Content-Length: {declared}\r\n\r\n".encode() + sent
