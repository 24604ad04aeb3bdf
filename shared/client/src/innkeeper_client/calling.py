"""One HTTP call with what every Innkeeper call needs: a correlation id, bounded retries of what is safe
to repeat, and an error from the hierarchy for every answer that is not a success.

What is retried: a 503 (the service says a dependency is briefly down; its `Retry-After` is honoured,
capped) and a call that got no answer (connection refused or reset, timeout). A query is safe to repeat;
a command is safe because every attempt carries the same `Idempotency-Key`, so the service applies it at
most once and answers a repeat with the first answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx

from innkeeper_contracts import Problem

from .errors import NoAnswerError, error_for, read_problem

CORRELATION_HEADER = "X-Correlation-Id"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a call tries: `attempts` in all; waits `Retry-After` (at most `max_delay` seconds), or
    `backoff` doubled per attempt when the answer gives none."""

    attempts: int = 3
    backoff: float = 0.2
    max_delay: float = 5.0

    def delay(self, attempt: int, answer: httpx.Response | None) -> float:
        given = answer.headers.get("Retry-After") if answer is not None else None
        wait: float = self.backoff * 2.0**attempt
        if given is not None:
            with contextlib.suppress(ValueError):
                wait = float(given)  # the services send seconds; an HTTP date falls back to backoff
        return min(max(wait, 0.0), self.max_delay)


NO_RETRIES = RetryPolicy(attempts=1)


def new_id() -> str:
    """A correlation id or idempotency key in the form the services accept (`[A-Za-z0-9_.:-]{1,128}`)."""
    return uuid4().hex


def unavailable(answer: httpx.Response) -> bool:
    """503: the service says a dependency is briefly down (try again after `Retry-After`)."""
    return answer.status_code == 503


class Caller:
    """Makes calls on one service through an `httpx.AsyncClient` (its base URL, token and timeout)."""

    def __init__(self, http: httpx.AsyncClient, retry: RetryPolicy) -> None:
        self.http, self.retry = http, retry

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        correlation_id: str | None = None,
        command: str | None = None,
        again: Callable[[httpx.Response], bool] = unavailable,
    ) -> httpx.Response:
        """The 2xx answer; else the error for the answer (a command's: a CommandRejectedError). An answer
        for which `again` holds is asked for again, while attempts are left."""
        sent = {CORRELATION_HEADER: correlation_id or new_id(), **(headers or {})}
        answer: httpx.Response | None = None
        for attempt in range(self.retry.attempts):
            last = attempt + 1 == self.retry.attempts
            try:
                answer = await self.http.request(method, path, json=json, params=params, headers=sent)
            except httpx.TransportError as error:
                if last:
                    url = self.http.base_url.join(path)
                    raise NoAnswerError(f"{method} {url}: no answer ({type(error).__name__})") from error
                answer = None
            else:
                if last or not again(answer):
                    if answer.is_success:
                        return answer
                    raise error_for(problem_of(answer, command))
            await asyncio.sleep(self.retry.delay(attempt, answer))
        raise AssertionError("unreachable: the last attempt returns or raises")


def problem_of(answer: httpx.Response, command: str | None) -> Problem:
    try:
        body: object = answer.json()
    except ValueError:
        body = answer.text
    return read_problem(answer.status_code, body, command=command)
