"""A bound on request bodies: anything over it is a 413 problem, whatever the body claims to be.

The body is read here, up to the limit, before the app sees the request: a declared `Content-Length`
over the limit is refused without reading a byte, and a body without one (chunked) is counted as it
arrives and refused at the first byte over. The app then gets the body in one message. Starlette's own
`RequestBodyLimitMiddleware` (FastAPI's `max_body_size`) answers `text/plain`, even over the problem a
route would have given; this answers the kit's problem document like every other refusal at the edge.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from innkeeper_kit.problems import send_problem

DEFAULT_MAX_BODY_BYTES = 64 * 1024
_CONTENT_LENGTH = b"content-length"


class BodyLimitMiddleware:
    """Pure ASGI; `max_bytes` is the largest body accepted (the services' `MAX_REQUEST_BODY_BYTES`)."""

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send, f"the body declares {declared} bytes")
            return
        message = await receive()
        if message["type"] != "http.request":  # the client left before its body was complete
            return
        size = len(message.get("body", b""))
        if message.get("more_body", False):  # in pieces: gather them, counting, up to the limit
            chunks = [message.get("body", b"")]
            while message.get("more_body", False) and size <= self.max_bytes:
                message = await receive()
                if message["type"] != "http.request":
                    return
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
            message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        if size > self.max_bytes:
            await self._refuse(send, f"the body is over {self.max_bytes} bytes")
            return
        await self.app(scope, _replay(message, receive), send)

    async def _refuse(self, send: Send, what: str) -> None:
        detail = f"{what}; this service accepts {self.max_bytes} bytes at most"
        await send_problem(send, 413, "too-large", "Content too large", detail)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == _CONTENT_LENGTH:
            # Servers refuse a malformed length; still, digits only (no sign, no space), and a number
            # too long for int() without a limit error is simply too large.
            if not value.isdigit():
                return None
            return int(value) if len(value) <= 18 else 10**18
    return None


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
