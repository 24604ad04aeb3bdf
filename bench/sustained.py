"""The sustained end-to-end rate: open-loop BookStay steps, each judged on whether the projector kept up.

Each step offers a fraction of the best command rate measured earlier in the run (bench/sustained_rules.py)
for BENCH_SUSTAINED_SECONDS (10 s by default; the issue's 30 s with BENCH_SUSTAINED_SECONDS=30), after
the projector has caught up with the previous one. Every READ_EVERY-th booking is read back with its
consistency token (freshness, as bench/freshness.py); the events in the log not yet applied by any shard
(outbox included; bench/backlog.py) are sampled meanwhile.
"""

from __future__ import annotations

import os
from typing import Any

from bench.backlog import DRAIN_TIMEOUT, BacklogSampler, caught_up
from bench.cpu import CpuMeter
from bench.procs import run_loadgen
from bench.sustained_rules import StepFigures, plan_steps, shortfalls, sustained_rate
from bench.system import System

STEP_SECONDS = 10.0
READ_EVERY = 4
"""A sample of the bookings is read back, so the reads' CPU is not charged to the projector."""
CONNECTIONS = 64
"""Command connections; the reads open their own (bench/fresh_load.py)."""


def step(system: System, rate: float, seconds: float, offset: int = 0) -> dict[str, Any]:
    """One open-loop step at `rate` cmd/s for `seconds`: its figures and the keeps-up judgement."""
    spec = {"mode": "fresh", "url": system.url("command_service"), "query_url": system.url("query_service"),
            "hotels": system.hotels, "rate": rate, "duration": seconds, "read_every": READ_EVERY,
            "connections": CONNECTIONS, "seed": int(rate), "headers": system.headers("service"),
            "query_headers": system.headers()}  # fmt: skip
    meter = CpuMeter.start()
    with BacklogSampler(system, offset) as sampler:
        load = run_loadgen(spec, timeout=3 * seconds + 60)
    cpu_share = meter.stop(load["cpu_s"])
    span = max(seconds, load["sent_until_s"] + 1 / rate)
    began, outcomes = load["began_wall"], load["outcomes"]
    during = [(at - began, behind, in_log) for at, behind, in_log in sampler.samples
              if began <= at <= began + span]  # fmt: skip
    accepted = sum(n for outcome, n in outcomes.items() if not outcome.startswith("command-"))
    events_per_s = 0.0
    if len(during) >= 2 and during[-1][0] > during[0][0]:
        events_per_s = (during[-1][2] - during[0][2]) / (during[-1][0] - during[0][0])
    figures = StepFigures(rate, accepted / span, load["p99_ms"], [(t, b) for t, b, _ in during], events_per_s)
    reasons = shortfalls(figures)
    return {"offered": rate, "accepted_per_s": figures.accepted_per_s, "p50_ms": load["p50_ms"],
            "p99_ms": load["p99_ms"], "backlog_end": during[-1][1] if during else None,
            "backlog": figures.backlog, "events_per_s": events_per_s, "outcomes": outcomes,
            "sent_per_s": load["commands"] / span,
            "keeps_up": not reasons, "shortfalls": reasons, "cpu_share": cpu_share}  # fmt: skip


def sustained(system: System, best_rate: float, seconds: float | None = None) -> dict[str, Any]:
    """Steps from a twentieth of `best_rate` up to it; the highest accepted rate that kept up."""
    seconds = seconds or float(os.environ.get("BENCH_SUSTAINED_SECONDS", STEP_SECONDS))
    steps: list[dict[str, Any]] = []
    out: dict[str, Any] = {"best_rate": best_rate, "step_seconds": seconds, "read_every": READ_EVERY}
    for rate in plan_steps(best_rate):
        if (offset := caught_up(system)) is None:
            out["stopped"] = f"the projector had not caught up {DRAIN_TIMEOUT:.0f} s after the last step"
            break
        steps.append(result := step(system, rate, seconds, offset))
        verdict = "keeps up" if result["keeps_up"] else "falls behind: " + "; ".join(result["shortfalls"])
        print(f"    sustained {rate:.0f} cmd/s offered, {result['accepted_per_s']:.0f} accepted, "
              f"freshness p99 {result['p99_ms'] or 0:.0f} ms, backlog {result['backlog_end']}: {verdict}",
              flush=True)  # fmt: skip
    out["steps"], out["rate"] = steps, sustained_rate(steps)
    out["ratio"] = out["rate"] / best_rate if best_rate else None
    return out
