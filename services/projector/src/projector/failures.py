"""Which errors of a batch a retry can outlast: the infrastructure's are retried, the rest are parked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from aio_pika.exceptions import AMQPError

from innkeeper_kit.personal import MasterKeyError

SERVER_ERRORS: tuple[type[Exception], ...] = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    AMQPError,
    OSError,
    MasterKeyError,
)
"""What the event log's and the broker's drivers raise when a server is down, slow, restarting or
refusing this process (its permissions, a missing table), and timeouts; and a guest's data key wrapped by
a master key this process is not given (its settings: the key is not erased, so nothing is shown as
erased, nor parked, until `PII_MASTER_KEYS` holds it again)."""


@dataclass(frozen=True)
class Failures:
    """The infrastructure's errors, the read store's among them (the store's implementation names its
    own): none of it is an event's fault, so the batch waits (and is retried) until the operator or the
    network fixes it. Anything else (a document the store cannot hold, data a projection chokes on)
    comes from the events: a retry cannot fix it."""

    store_errors: tuple[type[Exception], ...]
    refuses_document: Callable[[BaseException], bool]

    @property
    def infrastructure(self) -> tuple[type[Exception], ...]:
        """Every error class that is the infrastructure's."""
        return self.store_errors + SERVER_ERRORS

    def is_infrastructure(self, error: BaseException) -> bool:
        """Whether a retry of the same batch can succeed once the infrastructure is back."""
        return not self.refuses_document(error) and isinstance(error, self.infrastructure)
