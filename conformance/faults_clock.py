"""Clock skew: one replica's wall clock runs ahead or behind, through Debian's libfaketime.

The skew is in place from the start: the scenario's `SERVICE_ENV` (run_local's per-process environment)
preloads libfaketime into the chosen replicas with a fixed offset; the monotonic clock stays real
(`FAKETIME_DONT_FAKE_MONOTONIC=1`), so asyncio's timers, timeouts and backoffs run as ever and only what
reads the wall clock (time.time(), datetime.now()) is shifted. `ClockSkew.inject` checks that the skew
took: each skewed replica's HTTP `Date` header (uvicorn's, from time.time()) against the harness's clock.
A preload that did not take (ld.so only warns) fails the scenario instead of passing it unskewed.

Debian's libfaketime 0.9.10 is not free for Python 3.11: with FAKETIME_DONT_FAKE_MONOTONIC=1
`time.sleep` raises EINVAL (clock_nanosleep with TIMER_ABSTIME, wolfcw/libfaketime#426, fixed after
0.9.10), and without it a lock's timeout waits on a shifted deadline and hangs (#390); the preload also
slows hand-offs to threads (`asyncio.to_thread` about 30 times under uvloop). The services sleep in
asyncio only, so the first is harmless here, but a skewed replica answers slower than the others even at
an offset of 0: latency in this scenario is the tool's, not a finding.
"""

from __future__ import annotations

import glob
import json
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from conformance.system import System

LIBFAKETIME = next(
    iter(sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))),
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
)
"""Debian's libfaketime (package `libfaketime`), wherever this machine's multiarch directory is."""
DATE_TOLERANCE = 3.0
"""`Date` has whole seconds and uvicorn refreshes it once a second: a reading this close is the offset."""


@dataclass(frozen=True)
class Skew:
    service: str
    replica: int  # 0 is the first; run_local names replica k "<service>-<k + 1>"
    seconds: int  # + ahead, - behind

    @property
    def process(self) -> str:
        return f"{self.service}-{self.replica + 1}" if self.replica else self.service


def skewed_env(skews: tuple[Skew, ...]) -> dict[str, str]:
    """The scenario's `env`: `SERVICE_ENV` (run_local hands each named process its part, and no
    other process sees it) preloading libfaketime with each replica's offset."""
    per_process = {
        skew.process: {
            "LD_PRELOAD": LIBFAKETIME,
            "FAKETIME": f"{skew.seconds:+d}s",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        }
        for skew in skews
    }
    return {"SERVICE_ENV": json.dumps(per_process)}


def offset_seconds(date_header: str, received_at: float) -> float:
    """How far the clock behind an HTTP `Date` header is from ours, read at `received_at` (time.time())."""
    return parsedate_to_datetime(date_header).timestamp() - received_at


@dataclass(frozen=True)
class ClockSkew:
    """No action during the load: the skew is there from the start (`skewed_env`); `inject` checks it."""

    skews: tuple[Skew, ...]

    @property
    def description(self) -> str:
        told = [
            f"{skew.process} {abs(skew.seconds)} s {'ahead' if skew.seconds > 0 else 'behind'}"
            for skew in self.skews
        ]
        return f"clock skew: {', '.join(told)}"

    async def inject(self, system: System) -> None:
        urls = system.endpoints.service_urls()
        async with httpx.AsyncClient(timeout=5) as client:
            for skew in self.skews:
                answer = await client.get(f"{urls[skew.service][skew.replica]}/healthz")
                measured = offset_seconds(answer.headers["date"], time.time())
                if abs(measured - skew.seconds) > DATE_TOLERANCE:
                    raise RuntimeError(
                        f"{skew.process}'s clock is {measured:+.0f} s off, not {skew.seconds:+d} s: "
                        "the skew did not take"
                    )

    async def heal(self, system: System) -> None:
        """Nothing: the skew lasts the whole run."""
