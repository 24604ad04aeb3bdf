"""How a send can fail: for a while (retried with backoff) or for good (dead-lettered at once)."""

from __future__ import annotations


class DeliveryFailedError(Exception):
    """A send did not succeed; the message is the reason an operator reads."""


class TemporaryFailureError(DeliveryFailedError):
    """Worth another try: SMTP 4xx, no connection, HTTP 5xx/408/429, a timeout."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailureError(DeliveryFailedError):
    """Another try would fail the same way: SMTP 5xx, HTTP 4xx other than 408 and 429."""
