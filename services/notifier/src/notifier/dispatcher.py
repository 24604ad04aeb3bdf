"""The dispatcher: claims due deliveries, sends them (up to `concurrency` at once), records each outcome.

Claims are made whenever a slot is free and something is due: woken by the intake when it records new
deliveries, and every `poll` seconds for retries coming due. A send is bounded by its timeout, which the
lease outlives, so no other replica takes a delivery while its send may still be going on.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

import structlog

from innkeeper_kit.logging import event_fields
from innkeeper_kit.supervision import cancel_all

from .backoff import Backoff
from .failures import PermanentFailureError, TemporaryFailureError
from .metrics import METRICS
from .store import Delivery, DeliveryStore

log = structlog.get_logger("notifier.dispatcher")


class Channel(Protocol):
    """Sends one delivery; raises a `DeliveryFailedError` saying whether to try again."""

    async def send(self, delivery: Delivery) -> None: ...


class Dispatcher:
    def __init__(
        self,
        store: DeliveryStore,
        channels: dict[str, Channel],
        backoff: Backoff,
        *,
        concurrency: int,
        max_attempts: int,
        send_timeout: float,
        lease_seconds: float,
        poll_seconds: float,
    ) -> None:
        self.store, self.channels, self.backoff = store, channels, backoff
        self.concurrency, self.max_attempts = concurrency, max_attempts
        self.send_timeout, self.lease_seconds, self.poll_seconds = send_timeout, lease_seconds, poll_seconds
        self.wake = asyncio.Event()
        self.sending: dict[asyncio.Task[None], Delivery] = {}
        self.stopping = False

    async def run(self) -> None:
        """Runs until `drain`; a store that is down is waited for."""
        while not self.stopping:
            free = self.concurrency - len(self.sending)
            claimed: list[Delivery] = []
            if free > 0:
                self.wake.clear()
                try:
                    claimed = await self.store.claim(free, self.lease_seconds)
                except Exception:
                    log.exception("claim failed; trying again")
                    await asyncio.sleep(self.poll_seconds)
                    continue
            for delivery in claimed:
                if self.draining():  # a claim that returned during the drain: handed back at once
                    await self._release([delivery])
                    continue
                task = asyncio.create_task(self._deliver(delivery))
                self.sending[task] = delivery
                task.add_done_callback(self._done)
            if not claimed or len(self.sending) >= self.concurrency:
                await self._wait()

    async def _wait(self) -> None:
        """Until the intake wakes us, a send finishes (a slot is free) or the poll interval is over."""
        waker = asyncio.create_task(self.wake.wait())
        try:
            waiting = {waker, *self.sending}
            await asyncio.wait(waiting, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waker.cancel()

    def draining(self) -> bool:
        return self.stopping

    def _done(self, task: asyncio.Task[None]) -> None:
        self.sending.pop(task, None)

    async def drain(self, seconds: float) -> None:
        """Claim nothing more; let the sends in flight finish and record their outcome (a graceful
        stop) for at most `seconds`; then cut the rest off and hand their claims back, so another
        notifier takes them at once instead of after the lease (they may have gone out: resent)."""
        self.stopping = True
        self.wake.set()
        deadline = time.monotonic() + seconds
        while self.sending and (left := deadline - time.monotonic()) > 0:
            await asyncio.wait(set(self.sending), timeout=left)
        cut = dict(self.sending)
        await cancel_all(cut)
        if cut:
            log.warning("shutdown cut sends off; handing their claims back", deliveries=len(cut))
            await self._release(list(cut.values()))

    async def _release(self, deliveries: list[Delivery]) -> None:
        try:
            await self.store.release(deliveries)
        except Exception:
            log.exception("claims not handed back; they are taken again after their lease")

    async def _deliver(self, delivery: Delivery) -> None:
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
            async with asyncio.timeout(self.send_timeout):
                await self.channels[delivery.channel].send(delivery)
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
        METRICS.send_seconds.labels(delivery.channel).observe(time.perf_counter() - started)
        if outcome == "delivered":
            bound.info("delivered")
        elif outcome == "failed":
            bound.warning("delivery failed; dead-lettered", reason=reason)
        else:
            bound.info("delivery failed for now; retrying", reason=reason, in_seconds=round(delay, 2))
        if await self._record(delivery, outcome, reason, delay):
            METRICS.deliveries.labels(delivery.channel, outcome).inc()

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
