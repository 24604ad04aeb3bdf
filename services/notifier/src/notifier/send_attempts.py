"""One attempt at a delivery: open its sealed personal data (`guest_data.py`), send it within the
timeout, judge the outcome (delivered, retried later with backoff, failed: dead-lettered, or cancelled:
the guest's data is erased), log it, and record it under the delivery's claim. The reasons recorded and
logged are redacted (an SMTP refusal may quote the address)."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import structlog

from innkeeper_kit import failpoints
from innkeeper_kit.logging import event_fields
from innkeeper_kit.redaction import redact_text

from .backoff import Backoff
from .deliveries import Delivery
from .failures import GuestDataErasedError, PermanentFailureError, TemporaryFailureError
from .guest_data import GuestKeys, open_delivery
from .metrics import Metrics
from .spans import record_outcome, send_span
from .store import DeliveryStore

log = structlog.get_logger("notifier.dispatcher")


class DeliveryChannel(Protocol):
    """Sends one delivery; raises a `DeliveryFailedError` saying whether to try again."""

    async def send(self, delivery: Delivery) -> None:
        """Send `delivery` once (mail or webhook)."""


class SendAttempts:
    """Sends through the delivery's channel, with backoff between tries and a budget of attempts."""

    def __init__(
        self,
        store: DeliveryStore,
        channels: dict[str, DeliveryChannel],
        backoff: Backoff,
        *,
        keys: GuestKeys,
        max_attempts: int,
        send_timeout: float,
        lease_seconds: float,
        metrics: Metrics,
    ) -> None:
        self.store, self.channels, self.backoff, self.metrics = store, channels, backoff, metrics
        self.keys = keys
        self.max_attempts, self.send_timeout, self.lease_seconds = max_attempts, send_timeout, lease_seconds

    async def make(self, delivery: Delivery) -> None:
        """Send `delivery` once and record what came of it (under its span when tracing is on)."""
        with send_span(delivery) as span:
            outcome, reason = await self._make(delivery)
            record_outcome(span, outcome, reason)

    async def _make(self, delivery: Delivery) -> tuple[str, str | None]:
        bound = log.bind(
            delivery_id=delivery.id,
            **event_fields(delivery.envelope),
            channel=delivery.channel,
            template=delivery.template,
            attempt=delivery.attempts,
        )
        started = time.perf_counter()
        outcome, reason, delay = "delivered", None, 0.0
        try:
            async with asyncio.timeout(self.send_timeout):  # the keys' reading is bounded too
                clear = await open_delivery(delivery, self.keys)  # in memory only, for this send
                await self.channels[delivery.channel].send(clear)
        except GuestDataErasedError as error:  # an erased key: never sent, never retried
            outcome, reason = "cancelled", str(error)
        except (TemporaryFailureError, TimeoutError) as error:  # retried while the budget lasts
            reason = _reason(error)
            if delivery.attempts >= self.max_attempts:
                outcome, reason = "failed", f"{reason} (after {delivery.attempts} attempts)"
            else:
                hint = error.retry_after if isinstance(error, TemporaryFailureError) else None
                outcome, delay = "retried", self.backoff.delay(delivery.attempts, hint)
        except PermanentFailureError as error:
            outcome, reason = "failed", str(error)
        except Exception as error:  # a template or a message that cannot be made: the same every time
            bound.exception("delivery cannot be made; dead-lettered")
            outcome, reason = "failed", f"cannot be made: {type(error).__name__}: {error}"
        reason = redact_text(reason) if reason else reason
        self.metrics.send_seconds.labels(delivery.channel).observe(time.perf_counter() - started)
        if outcome == "delivered":
            bound.info("delivered")
            failpoints.reach(failpoints.NOTIFIER_AFTER_SEND_BEFORE_RECORD)
        elif outcome == "failed":
            bound.warning("delivery failed; dead-lettered", reason=reason)
        elif outcome == "cancelled":
            bound.info("delivery cancelled: the guest's data is erased", reason=reason)
        else:
            bound.info("delivery failed for now; retrying", reason=reason, in_seconds=round(delay, 2))
        if await self._record(delivery, outcome, reason, delay):
            self.metrics.deliveries.labels(delivery.channel, outcome).inc()
        return outcome, reason

    async def _record(self, delivery: Delivery, outcome: str, reason: str | None, delay: float) -> bool:
        """Record the outcome, retrying while the store is away, within the lease: past it, the
        delivery is claimed again and sent again (the crash case the receivers' deduplication covers).
        False when it could not be recorded."""
        deadline, pause = time.monotonic() + self.lease_seconds / 2, 0.1
        while True:
            try:
                if outcome == "delivered":
                    recorded = await self.store.delivered(delivery)
                elif outcome == "failed":
                    recorded = await self.store.failed(delivery, reason or "")
                elif outcome == "cancelled":
                    recorded = await self.store.cancelled(delivery, reason or "")
                else:
                    recorded = await self.store.retry_later(delivery, delay, reason or "")
                if not recorded:
                    log.warning("outcome not recorded: the claim had expired", id=delivery.id)
                return recorded
            except Exception:
                if time.monotonic() >= deadline:
                    log.exception("outcome not recorded; the delivery will be tried again", id=delivery.id)
                    return False
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)


def _reason(error: TemporaryFailureError | TimeoutError) -> str:
    return str(error) if isinstance(error, TemporaryFailureError) else "send timed out"
