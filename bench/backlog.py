"""How many events the projector has still to apply, counted for real, not from its /status lag.

The projector's /status `lag_events` counts from its most advanced shard: with four shards it reads 0
while the other three are still behind. Two true figures instead:
* exact, between steps: the events in the log against the sum of the checkpoints' versions (each
  aggregate's events are numbered from 1 and applied in order), less what is parked (never applied);
* cheap, sampled during a step: the events in the log against the sum of the shards' `events_applied`
  in /status, less the difference the two had when the exact figure last said "caught up" (a batch
  cut off between its checkpoints and its status record would otherwise count as behind forever).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import psycopg

from bench.progress import Checkpoints
from bench.system import System

SAMPLE_INTERVAL = 0.5
DRAIN_TIMEOUT = 60.0


class EventCounter:
    """Events in the log (committed, published or not), and the projector's own applied total."""

    def __init__(self, system: System) -> None:
        self.log = psycopg.connect(system.env["POSTGRES_DSN"], autocommit=True)
        self.status_url, self.headers = f"{system.url('projector')}/status", system.headers()
        self.http = httpx.Client(headers=self.headers, timeout=5)

    def in_log(self) -> int:
        row = self.log.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def status(self) -> dict[str, Any] | None:
        """The projector's /status; None while it does not answer."""
        try:
            answer = self.http.get(self.status_url)
        except httpx.HTTPError:
            return None
        return answer.json() if answer.status_code == 200 else None

    def unapplied(self) -> tuple[int, int] | None:
        """(events in the log - events the shards applied, events in the log); the status first, so
        events appended in between count as behind (never the other way round)."""
        if (body := self.status()) is None:
            return None
        applied = sum(int(shard.get("events_applied", 0)) for shard in body.get("shards", []))
        in_log = self.in_log()
        return in_log - applied, in_log

    def close(self) -> None:
        self.log.close()
        self.http.close()


def pending_exactly(counter: EventCounter, checkpoints: Checkpoints) -> int | None:
    """Events in the log not applied and not parked, from the checkpoints; None without a status."""
    if (body := counter.status()) is None:
        return None
    return counter.in_log() - checkpoints.versions() - int(body.get("parked", 0))


def caught_up(system: System, timeout: float = DRAIN_TIMEOUT) -> int | None:
    """Wait until every event in the log is applied (or parked); then the offset of the cheap figure
    (events in the log - the shards' applied total, normally 0). None when `timeout` passed first."""
    deadline = time.monotonic() + timeout
    counter = EventCounter(system)
    checkpoints = Checkpoints(system.env["MONGODB_URL"], system.env["MONGODB_DATABASE"])
    try:
        while time.monotonic() < deadline:
            pending = pending_exactly(counter, checkpoints)
            if pending is not None and pending <= 0 and (cheap := counter.unapplied()) is not None:
                return cheap[0]
            time.sleep(SAMPLE_INTERVAL)
        return None
    finally:
        counter.close()
        checkpoints.close()


class BacklogSampler:
    """Samples in a thread, every SAMPLE_INTERVAL: (wall time, events behind, events in the log)."""

    def __init__(self, system: System, offset: int) -> None:
        self.system, self.offset = system, offset
        self.samples: list[tuple[float, int, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        counter = EventCounter(self.system)
        try:
            while not self._stop.is_set():
                if (figures := counter.unapplied()) is not None:
                    self.samples.append((time.time(), max(figures[0] - self.offset, 0), figures[1]))
                self._stop.wait(SAMPLE_INTERVAL)
        finally:
            counter.close()

    def __enter__(self) -> BacklogSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
