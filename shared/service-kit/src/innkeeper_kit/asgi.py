"""The kit's middlewares are pure ASGI (cheaper than `BaseHTTPMiddleware` on the hot path) and act on
HTTP requests only: the lifespan (and anything else) passes through them untouched."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware:
    """Calls `http` for each HTTP request; subclasses say what it does around `self.app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer (or pass on) one HTTP request."""
        raise NotImplementedError
