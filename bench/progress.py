"""How far the projector is: checkpoints in the active read-model generation, and its own counters.

Every booking of the projector run is new and writes two events (`StayBooked`, then the request to
confirm it to its guest), so the checkpoint documents (one per aggregate) at version 2 count the
bookings whose events were all applied, whatever the projector's /status looks like.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pymongo import MongoClient

from innkeeper_contracts.documents import (
    ACTIVE_GENERATION_ID,
    CHECKPOINTS,
    GENERATIONS_COLLECTION,
    collection_name,
)

WRITES_METRIC = re.compile(
    r"^innkeeper_projector_documents_written_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$"
)
KIND_LABEL = re.compile(r'kind="(?P<kind>[^"]*)"')


class Checkpoints:
    """Counts checkpoint documents of the active generation."""

    def __init__(self, url: str, database: str) -> None:
        self.client: MongoClient[dict[str, Any]] = MongoClient(url)
        self.database = self.client[database]

    def versions(self) -> int:
        """Sum of the checkpoints' versions: the events applied, all aggregates together (every
        aggregate's events are numbered from 1 and applied in order)."""
        alias = self.database[GENERATIONS_COLLECTION].find_one({"_id": ACTIVE_GENERATION_ID})
        if alias is None:
            return 0
        rows = self.database[collection_name(CHECKPOINTS, alias["generation"])].aggregate(
            [{"$group": {"_id": None, "events": {"$sum": "$version"}}}]
        )
        return sum(int(row["events"]) for row in rows)

    def close(self) -> None:
        self.client.close()


@dataclass(frozen=True)
class Drain:
    """The applied count first seen moving, and when it reached the target."""

    first_time: float
    first_count: int
    last_time: float
    last_count: int

    @property
    def per_second(self) -> float:
        return (self.last_count - self.first_count) / max(self.last_time - self.first_time, 1e-9)


def watch_drain(
    applied: Callable[[], int], base: int, target: int, timeout: float, interval: float = 0.1
) -> Drain:
    """Poll `applied` (events applied so far) until it reaches `target`; the interval between first
    progress and the end."""
    deadline = time.monotonic() + timeout
    first: tuple[float, int] | None = None
    count = base
    while time.monotonic() < deadline:
        count = applied()
        stamp = time.monotonic()
        if first is None and count > base:
            first = (stamp, count)
        if count >= target:
            assert first is not None
            return Drain(first[0], first[1], stamp, count)
        time.sleep(interval)
    raise TimeoutError(f"projector applied {count - base} of {target - base} events within {timeout:.0f}s")


def documents_written(metrics_url: str, headers: dict[str, str]) -> dict[str, float] | None:
    """The projector's `innkeeper_projector_documents_written_total` by kind (read documents,
    checkpoints); None when /metrics does not answer or has no such counter."""
    try:
        return writes_by_kind(httpx.get(metrics_url, headers=headers, timeout=5).text)
    except httpx.HTTPError:
        return None


def writes_by_kind(metrics_text: str) -> dict[str, float] | None:
    """`innkeeper_projector_documents_written_total` summed per `kind` label, from /metrics text."""
    by_kind: dict[str, float] = {}
    for line in metrics_text.splitlines():
        if (sample := WRITES_METRIC.match(line)) and (kind := KIND_LABEL.search(sample["labels"])):
            by_kind[kind["kind"]] = by_kind.get(kind["kind"], 0.0) + float(sample["value"])
    return by_kind or None


def settled_writes(url: str, headers: dict[str, str], timeout: float = 3.0) -> dict[str, float] | None:
    """`documents_written` once two readings 0.2 s apart agree: the last batch's checkpoints become
    visible a moment before its counter moves."""
    last, deadline = documents_written(url, headers), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = documents_written(url, headers)
        if now == last:
            break
        last = now
    return last


def mean_batch_size(metrics_url: str, headers: dict[str, str]) -> float | None:
    """Mean events per batch from the projector's `innkeeper_projector_batch_size_events` histogram,
    when exposed."""
    try:
        text = httpx.get(metrics_url, headers=headers, timeout=5).text
    except httpx.HTTPError:
        return None
    totals = {"sum": 0.0, "count": 0.0}
    for line in text.splitlines():
        for part in totals:
            if line.startswith(f"innkeeper_projector_batch_size_events_{part} "):
                totals[part] += float(line.split()[-1])
    return totals["sum"] / totals["count"] if totals["count"] else None
