"""The last word on an unexpected error: a 500 problem with the correlation id, a readable traceback in
the log, and a connection the client can go on using.

Starlette's `ServerErrorMiddleware` answers an unexpected error (plain text, or a handler's answer) and
then raises it again, so that the server logs it: uvicorn logs a second traceback and, the answer being
started, closes the connection — a keep-alive client's next request fails too. This middleware sits
inside it, answers the problem itself and swallows the error, so nothing is raised further. Only when
the answer had already begun does the error go on: half an answer can only be ended by closing.
"""

from __future__ import annotations

import structlog
from starlette.types import Message, Receive, Scope, Send

from innkeeper_kit.asgi import HttpMiddleware
from innkeeper_kit.problems import send_problem

LOGGER_NAME = "innkeeper_kit.unexpected"
DETAIL = "the request failed unexpectedly; nothing about it is shown here: quote the correlation id"


class UnexpectedErrorMiddleware(HttpMiddleware):
    """Add it inside the middleware that binds and echoes the correlation id."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as error:
            # The route's template, not the path: a path may carry ids the log has no need of.
            route = getattr(scope.get("route"), "path", "unmatched")
            # The exception itself, not `exc_info=True`: format_exc_info renders it as the text of a
            # traceback whether or not an exception is being handled when the line is written.
            log = structlog.get_logger(LOGGER_NAME)  # looked up now: rare, and always the current set-up
            log.error("http.unexpected_error", method=scope["method"], route=route, exc_info=error)
            if started:
                raise
            await send_problem(send, scope, 500, "internal", DETAIL)
