"""Bounds on request bodies: anything over the size limit is a 413 problem, a body that does not arrive in
time a 408 problem, whatever the body claims to be.

The body is read here, up to the limit, before the app sees the request: a declared `Content-Length`
over the limit is refused without reading a byte, and a body without one (chunked) is counted as it
arrives and refused at the first byte over. The app then gets the body in one message. Starlette's own
`RequestBodyLimitMiddleware` (FastAPI's `max_body_size`) answers `text/plain`, even over the problem a
route would have given; this answers the kit's problem document like every other refusal at the edge.

uvicorn bounds neither how long a body takes nor how long it waits for one: a request that declares more
than it sends would hold its connection (and this middleware) forever. The whole read has one deadline;
past it the answer is a 408 and the connection is closed (its framing is lost: the rest of the body may
still come). A request without a body (no length, not chunked) is passed on unread: nothing to wait for.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from innkeeper_kit.problems import send_problem

DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_READ_SECONDS = 10.0
_CONTENT_LENGTH = b"content-length"
_TRANSFER_ENCODING = b"transfer-encoding"


class BodyLimitMiddleware:
    """Pure ASGI; `max_bytes` is the largest body accepted (`MAX_REQUEST_BODY_BYTES`), `read_seconds` the
    time the whole body may take to arrive (`REQUEST_BODY_TIMEOUT_SECONDS`)."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        read_seconds: float = DEFAULT_READ_SECONDS,
    ) -> None:
        self.app, self.max_bytes, self.read_seconds = app, max_bytes, read_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _framing(scope)
        if not chunked and not declared:  # no body: the server has it complete already
            await self.app(scope, receive, send)
            return
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send, f"the body declares {declared} bytes")
            return
        try:
            async with asyncio.timeout(self.read_seconds):
                body = await self._read(receive)
        except TimeoutError:
            await self._time_out(scope, send)
            return
        if body is None:  # the client left before its body was complete
            return
        if len(body) > self.max_bytes:
            await self._refuse(scope, send, f"the body is over {self.max_bytes} bytes")
            return
        await self.app(
            scope, _replay({"type": "http.request", "body": body, "more_body": False}, receive), send
        )

    async def _read(self, receive: Receive) -> bytes | None:
        """The body, whole or up to the first piece over the limit; None when the client left."""
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= self.max_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _refuse(self, scope: Scope, send: Send, what: str) -> None:
        detail = f"{what}; this service accepts {self.max_bytes} bytes at most"
        await send_problem(send, scope, 413, "too-large", detail)

    async def _time_out(self, scope: Scope, send: Send) -> None:
        detail = f"the body did not arrive in full within {self.read_seconds:g} seconds"
        closing = {"Connection": "close"}
        await send_problem(send, scope, 408, "request-timeout", detail, closing)


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared `Content-Length` (None: none, or not a number) and whether the body is chunked."""
    declared, chunked = None, False
    for name, value in scope["headers"]:
        if name == _CONTENT_LENGTH:
            # Servers refuse a malformed length; still, digits only (no sign, no space), and a number
            # too long for int() without a limit error is simply too large.
            if value.isdigit():
                declared = int(value) if len(value) <= 18 else 10**18
        elif name == _TRANSFER_ENCODING:
            chunked = True
    return declared, chunked


def _replay(first: Message, receive: Receive) -> Receive:
    """The whole body as the first message, then the server's own (a disconnect, when it comes)."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return first

    return replay
