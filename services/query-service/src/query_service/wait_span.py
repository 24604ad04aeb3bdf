"""The `consistency.wait` span: what a consistency token cost a read, as a child of its request's span.

Recorded once the wait is over, with the wait's own start time, so the waiting itself (shared watcher
ticks, many requests per store read) runs no tracing code; while tracing is off nothing is made."""

from __future__ import annotations

import time

from innkeeper_contracts import ConsistencyToken
from innkeeper_kit.tracing import tracer, tracing_enabled

TRACER = "query_service.consistency"


def record_wait(token: ConsistencyToken, outcome: str, waited_seconds: float) -> None:
    """`outcome`: immediate, waited (the token's write reached), timeout, unreachable, ahead or capped
    (the last two answered stale without waiting)."""
    if not tracing_enabled():
        return
    end = time.time_ns()
    span = tracer(TRACER).start_span(
        "consistency.wait",
        start_time=end - int(waited_seconds * 1e9),
        attributes={
            "innkeeper.consistency.aggregate_id": str(token.aggregate_id),
            "innkeeper.consistency.aggregate_version": token.aggregate_version,
            "innkeeper.consistency.global_position": token.global_position,
            "innkeeper.consistency.outcome": outcome,
            "innkeeper.consistency.waited_ms": round(waited_seconds * 1000, 3),
        },
    )
    span.end(end_time=end)
