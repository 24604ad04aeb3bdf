"""One subscription's deliveries to a shard consumer, and how a batch is gathered from them."""

from __future__ import annotations

import asyncio
import contextlib
import time

from aio_pika.abc import AbstractIncomingMessage


class Inbox:
    """What the broker delivered on one channel and the consumer has not taken yet (unacked; the
    channel's prefetch bounds it). Closed when the consumer releases its shard: nothing more is taken,
    and what is left goes back to the broker with the channel."""

    def __init__(self) -> None:
        self.messages: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
        self.delivered = asyncio.Event()  # set by every delivery (see `delivery_within`)
        self.delivered_at = 0.0  # monotonic; the broker delivers only to a shard's active consumer
        self.closed = False

    def qsize(self) -> int:
        return self.messages.qsize()

    def put(self, message: AbstractIncomingMessage) -> None:
        self.messages.put_nowait(message)
        self.delivered_at = time.monotonic()
        self.delivered.set()

    def close(self) -> None:
        """Take nothing more; wakes a `next` that waits."""
        self.closed = True
        self.delivered.set()

    def delivered_within(self, seconds: float) -> bool:
        """Whether, open, it had a delivery within `seconds`."""
        return not self.closed and self.delivered_at > 0 and time.monotonic() - self.delivered_at < seconds

    async def next(self) -> AbstractIncomingMessage | None:
        """The next delivery, or None once closed (waits on the event: see `delivery_within`)."""
        while self.messages.empty() and not self.closed:
            self.delivered.clear()
            await self.delivered.wait()
        return None if self.closed else self.messages.get_nowait()

    async def fill(
        self, first: AbstractIncomingMessage, batch_size: int, window: float, linger: float
    ) -> list[AbstractIncomingMessage]:
        # Take what is queued; wait (up to the window) only while deliveries keep coming: when the inbox
        # runs dry, at most `linger` for one more. The events of one command are published together but
        # may land a fraction of a millisecond apart, and a command split over two batches is readable
        # (its token's checkpoint) only once the second is written. Under load the inbox refills while
        # the previous batch is written, so batches stay large.
        batch = [first]
        deadline = time.monotonic() + window
        while len(batch) < batch_size:
            if not self.messages.empty():
                batch.append(self.messages.get_nowait())
                continue
            wait = min(linger, deadline - time.monotonic())
            if wait <= 0 or not await self.delivery_within(wait):
                break
        return batch

    async def delivery_within(self, seconds: float) -> bool:
        """Whether a delivery lands in the inbox within `seconds`. Waits on the event, not on
        `messages.get()`: a get cancelled by the timeout just as it was handed a message would lose it
        (and the batch's ack, which acks every earlier delivery, would drop it for good)."""
        self.delivered.clear()
        await asyncio.sleep(0)  # deliveries already read from the socket land in the inbox
        if not self.messages.empty():
            return True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.delivered.wait(), seconds)
        return not self.messages.empty()
