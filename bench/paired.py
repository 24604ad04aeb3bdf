"""Baselines measured right before and right after the Innkeeper figure they are compared with.

On a machine shared with other work, a baseline taken a minute earlier can be twice as fast or slow
as the same baseline now. Sandwiching the Innkeeper measurement between two short baseline runs and
comparing with their mean cancels most of that drift; the standalone figures stay in the raw section.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from bench import peer, raw, raw_pg
from bench.infra import Infra

T = TypeVar("T")
Baselines = dict[str, Callable[[], float]]


def sandwich(baselines: Baselines, work: Callable[[], T]) -> tuple[T, dict[str, Any]]:
    """Run each baseline, then `work`, then each baseline again; returns work's result and the means."""
    before = {name: measure() for name, measure in baselines.items()}
    result = work()
    after = {name: measure() for name, measure in baselines.items()}
    means = {name: {"per_s": (before[name] + after[name]) / 2, "before": before[name], "after": after[name]}
             for name in baselines}  # fmt: skip
    return result, means


def command_baselines(infra: Infra, peer_threads: int) -> Baselines:
    """PostgreSQL 8-connection append (plain, and under Innkeeper's shared append lock) and the peer at
    its best thread count, 2 s each."""
    dsn = infra.database("paired")

    def append() -> float:
        rate: float = asyncio.run(raw_pg.postgres_append(dsn, duration=2.0))["per_s"]
        return rate

    def shared_lock_append() -> float:
        rate: float = asyncio.run(raw_pg.postgres_append(dsn, duration=2.0, lock="shared-in-insert"))["per_s"]
        return rate

    def eventsourcing() -> float:
        rate: float = peer.eventsourcing_peer(infra.database("peer"), 2.0, (peer_threads,))["per_s"]
        return rate

    return {"postgres_append": append, "postgres_append_shared": shared_lock_append, "peer": eventsourcing}


def store_baselines(infra: Infra) -> Baselines:
    """bulk_write upserts into the same store, 2 s."""

    def bulk() -> float:
        result = asyncio.run(raw.mongodb_bulk(infra.mongodb_url(), "bench_bulk_paired", duration=2.0))
        rate: float = result["per_s"]
        return rate

    return {"mongodb_bulk": bulk}
