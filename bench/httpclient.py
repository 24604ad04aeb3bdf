"""A minimal HTTP/1.1 keep-alive client on asyncio streams.

The load generators use it instead of httpx because on a 2-core machine every cycle the client burns is
a cycle the server under test does not get; this client costs a fraction of httpx per request. The raw
baselines and Innkeeper are driven by the very same client, so the comparison stays fair.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

IDLE_SECONDS = 4.0
"""Reopen a connection idle this long: uvicorn closes keep-alive connections idle for 5 s."""


class HttpError(Exception):
    """The server answered with something this small client does not understand."""


class Connection:
    """One persistent connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._used_at = 0.0

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self._writer is not None and time.monotonic() - self._used_at > IDLE_SECONDS:
            await self.close()
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method == "POST":
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status, response_headers, payload = await self._read_response(self._reader)
        self._used_at = time.monotonic()
        if response_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, response_headers, payload

    @staticmethod
    async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            return status, headers, await reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            return status, headers, await _read_chunks(reader)
        raise HttpError(f"response without length: {status_line}")

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return bytes(body)
        body += await reader.readexactly(size)
        await reader.readexactly(2)
