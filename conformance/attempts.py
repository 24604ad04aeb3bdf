"""One logical command until it is answered: the same key and body on every attempt, with backoff.

What counts as an answer follows docs/problems.md: 202 (or an accepted reply) and refusals are answers;
a lost answer, 408, any 5xx and a `conflict` collision are "ask again with the same key"."""

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from conformance.commands import Command
from conformance.journal import CommandRecord

PROBLEMS = "https://innkeeper.dev/problems/"
MAX_COLLISIONS = 8  # a `conflict` this often in a row is recorded as the refusal it is
BACKOFF_FIRST, BACKOFF_CAP, RETRY_AFTER_CAP = 0.1, 2.0, 10.0


@dataclass(frozen=True)
class Answer:
    outcome: str  # "accepted" | "rejected" | "collision" | "retry"
    status: int | None = None
    problem: str | None = None
    reply: dict[str, Any] | None = None
    retry_after: float | None = None
    reason: str = ""  # why a retry: for logs and the unanswered record


def classify(status: int, body: Any, retry_after: float | None = None) -> Answer:
    """An answer from its (HTTP or problem) status and body."""
    document = body if isinstance(body, dict) else None
    kind = str(document.get("type", "")) if document else ""
    if status == 202 or (document is not None and document.get("status") == "accepted"):
        return Answer("accepted", status, None, document)
    if status == 408 or status >= 500:
        return Answer("retry", status, kind or None, document, retry_after, f"status {status}")
    if kind == PROBLEMS + "conflict":
        return Answer("collision", status, kind, document, retry_after, "conflict")
    return Answer("rejected", status, kind or f"status {status}", document)


class Client(Protocol):
    name: str  # "http-0", "amqp-1"
    transport: str  # "http" | "amqp"

    async def attempt(self, command: Command, key: str, wait: float) -> Answer: ...

    def forget(self, key: str) -> None: ...


class Deadline:
    """Unbounded until started: then `remaining()` counts down to the moment retries stop."""

    def __init__(self) -> None:
        self.at: float | None = None

    def start(self, seconds: float) -> None:
        self.at = asyncio.get_running_loop().time() + seconds

    def remaining(self) -> float | None:
        return None if self.at is None else max(0.0, self.at - asyncio.get_running_loop().time())


def backoff(failures: int, retry_after: float | None) -> float:
    """Capped exponential with jitter, at least what `Retry-After` asked for (itself capped)."""
    delay = min(BACKOFF_CAP, BACKOFF_FIRST * 2.0 ** (failures - 1)) * random.uniform(0.5, 1.0)
    return max(delay, min(retry_after or 0.0, RETRY_AFTER_CAP))


async def until_answered(
    client: Client, command: Command, key: str, deadline: Deadline, clock: Callable[[], float], wait: float
) -> CommandRecord:
    """Attempts until an answer, or until the deadline passed: then the command is "unanswered"."""
    sent_at, attempts, collisions, answer = clock(), 0, 0, Answer("retry", reason="never sent")
    try:
        while True:
            remaining = deadline.remaining()
            if remaining is not None and remaining <= 0 and attempts:
                break
            attempts += 1
            answer = await client.attempt(command, key, wait if remaining is None else min(wait, remaining))
            collisions = collisions + 1 if answer.outcome == "collision" else 0
            if answer.outcome in ("accepted", "rejected") or collisions >= MAX_COLLISIONS:
                outcome = "rejected" if answer.outcome == "collision" else answer.outcome
                return record(client, command, key, attempts, answer, outcome, sent_at, clock())
            delay = backoff(attempts, answer.retry_after)
            remaining = deadline.remaining()
            await asyncio.sleep(delay if remaining is None else min(delay, remaining))
        return record(client, command, key, attempts, answer, "unanswered", sent_at, None)
    finally:
        client.forget(key)


def record(
    client: Client,
    command: Command,
    key: str,
    attempts: int,
    answer: Answer,
    outcome: str,
    sent_at: float,
    answered_at: float | None,
) -> CommandRecord:
    answered = outcome != "unanswered"
    return CommandRecord(
        key=key,
        transport=client.transport,
        client=client.name,
        command=command.name,
        body=command.body,
        attempts=attempts,
        outcome=outcome,
        status=answer.status if answered and client.transport == "http" else None,
        problem=answer.problem if outcome == "rejected" else (None if answered else answer.reason),
        reply=answer.reply if answered else None,
        sent_at=sent_at,
        answered_at=answered_at,
    )
