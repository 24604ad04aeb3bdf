"""How a send can fail: for a while (retried with backoff) or for good (dead-lettered at once)."""

from __future__ import annotations

from uuid import UUID


class DeliveryFailedError(Exception):
    """A send did not succeed; the message is the reason an operator reads."""


class TemporaryFailureError(DeliveryFailedError):
    """Worth another try: SMTP 4xx, no connection, HTTP 5xx/408/429, a timeout."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailureError(DeliveryFailedError):
    """Another try would fail the same way: SMTP 5xx, HTTP 4xx other than 408 and 429."""


class GuestDataErasedError(Exception):
    """The guest's data key is gone (`EraseGuestData`): the delivery is cancelled, never sent nor retried."""

    REASON = "guest_data_erased"

    def __init__(self, key_ids: list[UUID]) -> None:
        super().__init__(self.REASON)
        self.key_ids = key_ids
