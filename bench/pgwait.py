"""What the command service's PostgreSQL connections are doing under load (sampled pg_stat_activity).

Each sample classifies the backends of one database: running a statement, waiting for a lock (which
kind), or "idle in transaction" — the server waits for the client, i.e. the service's event loop, while
the transaction (and any advisory lock it holds) stays open. Averages over the samples tell whether a
rate is bound by the database, by lock hand-over, or by the client side; the state of the backend that
holds the advisory lock says what the serialised section is waiting for.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import psycopg

from innkeeper_contracts.eventlog import APPEND_LOCK

SAMPLE = """SELECT CASE
    WHEN state = 'active' AND wait_event_type = 'Lock' THEN 'waiting for ' || wait_event || ' lock'
    WHEN state = 'active' AND wait_event_type IS NOT NULL THEN 'active, ' || wait_event
    ELSE state END AS what, count(*)
FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() GROUP BY 1"""

# The append lock (innkeeper_contracts.eventlog): a bigint key shows in pg_locks as objid (low 32 bits)
# with objsubid 1. Appends hold it shared (several holders at once); other advisory locks are not it.
HOLDER = """SELECT 'append lock held by a backend that is ' || CASE
    WHEN a.state = 'active' AND a.wait_event IS NOT NULL THEN 'active, ' || a.wait_event
    ELSE a.state END, count(*)
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objid = %s AND l.objsubid = 1 AND a.datname = %s
GROUP BY 1"""


class ActivitySampler:
    """Samples in a thread every `interval` s until `stop()`; returns mean backends per activity."""

    def __init__(self, dsn: str, database: str, interval: float = 0.02) -> None:
        self.dsn, self.database, self.interval = dsn, database, interval
        self.totals, self.samples = Counter[str](), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> ActivitySampler:
        self._thread.start()
        return self

    def _run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self._stop.is_set():
                samples = conn.execute(SAMPLE, (self.database,)).fetchall()
                samples += conn.execute(HOLDER, (APPEND_LOCK, self.database)).fetchall()
                for what, count in samples:
                    self.totals[str(what)] += int(count)
                self.samples += 1
                time.sleep(self.interval)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(timeout=5)
        return {what: round(n / max(self.samples, 1), 2) for what, n in self.totals.most_common()}
