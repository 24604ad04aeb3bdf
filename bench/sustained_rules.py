"""The sustained-rate phase's rules: which BookStay rates to offer, and whether the projector kept up.

A step keeps up when the load generator got its rate accepted, the freshness p99 stays within the
target, and the projector's backlog (events committed but not yet applied) is both small at the end of
the step and not growing over it. Every step runs (the curve shows where freshness breaks), unless the
projector could not catch up with the one before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

STEP_FRACTIONS = (0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.0)
"""Open-loop rates as fractions of the best command rate measured earlier in the run."""
LOWEST_RATE = 5.0
FRESHNESS_P99_MS = 150.0
ACCEPTED_SHARE = 0.95
"""Below this share of the offered rate, the open loop itself was held back (too few connections free)."""
BACKLOG_BOUND_S = 0.5
"""The backlog at the step's end may hold at most this many seconds of arriving events."""
GROWTH_SHARE = 0.05
"""The backlog's trend may grow by at most this share of the event arrival rate."""


def plan_steps(best_rate: float, fractions: Sequence[float] = STEP_FRACTIONS) -> list[float]:
    """The offered rates, lowest first, one per fraction of `best_rate` (never below LOWEST_RATE)."""
    return sorted({round(max(best_rate * fraction, LOWEST_RATE), 1) for fraction in fractions})


def slope(samples: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (time, value) samples: how fast the value grows per second."""
    if len(samples) < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / len(samples)
    mean_v = sum(v for _, v in samples) / len(samples)
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread


@dataclass(frozen=True)
class StepFigures:
    """What one open-loop step measured."""

    offered: float
    accepted_per_s: float
    p99_ms: float | None
    backlog: Sequence[tuple[float, float]]
    """(seconds into the step, events behind) while the load was offered."""
    events_per_s: float
    """Events appended to the log per second during the step (about two per booking)."""


def shortfalls(step: StepFigures) -> list[str]:
    """Why the projector did not keep up with this step; empty when it did."""
    reasons = []
    if step.accepted_per_s < ACCEPTED_SHARE * step.offered:
        reasons.append(f"accepted {step.accepted_per_s:.0f} of {step.offered:.0f} cmd/s offered")
    if step.p99_ms is None or step.p99_ms > FRESHNESS_P99_MS:
        shown = "none fresh" if step.p99_ms is None else f"{step.p99_ms:.0f} ms"
        reasons.append(f"freshness p99 {shown} > {FRESHNESS_P99_MS:g} ms")
    if not step.backlog:
        reasons.append("no backlog sample")
        return reasons
    end, bound = step.backlog[-1][1], BACKLOG_BOUND_S * max(step.events_per_s, 1.0)
    if end > bound:
        reasons.append(f"backlog {end:.0f} events at the end > {bound:.0f}")
    growth = slope(step.backlog)
    if growth > GROWTH_SHARE * max(step.events_per_s, 1.0):
        reasons.append(f"backlog growing {growth:.0f} events/s")
    return reasons


def sustained_rate(steps: Sequence[dict[str, Any]]) -> float:
    """The highest accepted rate among the steps that kept up; 0 when none did."""
    kept = [step["accepted_per_s"] for step in steps if step.get("keeps_up")]
    return max(kept, default=0.0)
