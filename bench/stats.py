"""Small statistics helpers shared by the load generator and the report."""

from __future__ import annotations

import math


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (`fraction` in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def latency_summary(latencies_s: list[float]) -> dict[str, float | None]:
    """p50 / p99 / max in milliseconds."""
    as_ms = [value * 1000 for value in latencies_s]
    return {
        "p50_ms": percentile(as_ms, 0.50),
        "p99_ms": percentile(as_ms, 0.99),
        "max_ms": max(as_ms) if as_ms else None,
    }
