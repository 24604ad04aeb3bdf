"""The dispatcher: claims due deliveries, sends them (up to `concurrency` at once), records each outcome.

Claims are made whenever a slot is free and something is due: woken by the intake when it records new
deliveries, and every `poll` seconds for retries coming due. A send is bounded by its timeout, which the
lease outlives, so no other replica takes a delivery while its send may still be going on.
"""

from __future__ import annotations

import asyncio
import time

import structlog

from innkeeper_kit.supervision import cancel_all

from .deliveries import Delivery
from .send_attempts import SendAttempts
from .store import DeliveryStore

log = structlog.get_logger("notifier.dispatcher")


class Dispatcher:
    """Claims what is due while a slot is free; each claimed delivery is one of `attempts`."""

    def __init__(
        self,
        store: DeliveryStore,
        attempts: SendAttempts,
        *,
        concurrency: int,
        lease_seconds: float,
        poll_seconds: float,
    ) -> None:
        self.store, self.attempts, self.concurrency = store, attempts, concurrency
        self.lease_seconds, self.poll_seconds = lease_seconds, poll_seconds
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
                task = asyncio.create_task(self.attempts.make(delivery))
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
