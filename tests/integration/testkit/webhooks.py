"""A webhook receiver under the test's control: a small ASGI app served by uvicorn on a real socket.

The test scripts its answers (`answer(500, times=5)`, `answer(429, headers={"Retry-After": "1"})`,
`answer(200, delay=30)` for a timeout, `drop()` to close the connection without an answer); once the
script is used up it answers 200. Every request is
recorded with its headers and body, and can be checked against the Standard Webhooks reference library.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook

from testkit.infra import free_port


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int
    at: float

    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def verified(self, secret: str) -> dict[str, Any]:
        """The body, if signature and timestamp pass the Standard Webhooks reference check (else raises)."""
        verified: dict[str, Any] = Webhook(secret).verify(self.body, self.headers)
        return verified


class WebhookReceiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.script: list[Answer] = []
        self.received: list[Received] = []
        self.lock = threading.Lock()
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            interface="asgi3",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(
        self, status: int, *, times: int = 1, headers: dict[str, str] | None = None, delay: float = 0
    ) -> None:
        with self.lock:
            self.script += [Answer(status, headers or {}, delay)] * times

    def drop(self, *, times: int = 1) -> None:
        """Read the next request(s) whole, then close the connection without a word."""
        with self.lock:
            self.script += [Answer(0, drop=True)] * times

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def start(self) -> WebhookReceiver:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("webhook receiver did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        with self.lock:
            answer = self.script.pop(0) if self.script else Answer(200)
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            self.received.append(Received(headers, body, answer.status, time.time()))
        if answer.drop:
            # ASGI has no way to hang up; uvicorn's protocol object, whose method `send` is, holds the
            # connection's transport.
            send.__self__.transport.abort()
            return
        if answer.delay:
            await asyncio.sleep(answer.delay)
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": b""})
