"""`shutdown.Deadline`: a stop step that never ends (a call on a store that was SIGSTOPped) is abandoned
at the deadline, and the steps after it still run (with nothing left, they are abandoned too)."""

from __future__ import annotations

import asyncio

from projector.shutdown import Deadline


async def test_a_step_that_hangs_is_abandoned_and_the_stop_goes_on() -> None:
    deadline = Deadline(0.2)
    ran: list[str] = []

    async def quick() -> None:
        ran.append("quick")

    assert await deadline.step("quick", quick())
    hung = asyncio.get_running_loop().create_future()  # never resolved
    assert not await deadline.step("close read store", hung)
    assert hung.cancelled()
    assert not await deadline.step("after", asyncio.sleep(5))
    assert ran == ["quick"]
    assert deadline.abandoned == ["close read store", "after"]


async def test_a_step_that_fails_counts_as_done_and_is_logged() -> None:
    async def broken() -> None:
        raise ConnectionError("store gone")

    assert await Deadline(1).step("close read store", broken())
