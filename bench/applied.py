"""Events the projector processes have applied, read from their own counters.

A drain's progress used to be the number of checkpoint documents at version 2, counted every 0.1 s: on
the pure-Python stand-in that count is a scan of every checkpoint, so it grew with the database (about
150 000 checkpoints late in a run) and took the store's CPU from the projector it was measuring. The
processes' `innkeeper_projector_events_applied_total` counters cost the store nothing.
"""

from __future__ import annotations

import re

import httpx

APPLIED = re.compile(r"^innkeeper_projector_events_applied_total\{[^}]*\} (?P<value>\S+)$")


def applied_in(metrics_text: str) -> int:
    """The sum over shards of `innkeeper_projector_events_applied_total` in one process's /metrics text."""
    return int(
        sum(float(found["value"]) for line in metrics_text.splitlines() if (found := APPLIED.match(line)))
    )


class AppliedEvents:
    """Events applied by the projector processes at `urls` (their /metrics), all together; a process
    that does not answer (yet) counts 0: a process started for the drain has applied nothing before."""

    def __init__(self, urls: list[str], headers: dict[str, str]) -> None:
        self.urls = urls
        self.http = httpx.Client(headers=headers, timeout=5)

    def __call__(self) -> int:
        total = 0
        for url in self.urls:
            try:
                answer = self.http.get(f"{url}/metrics")
            except httpx.HTTPError:
                continue
            total += applied_in(answer.text) if answer.status_code == 200 else 0
        return total

    def close(self) -> None:
        self.http.close()
