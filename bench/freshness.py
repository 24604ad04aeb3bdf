"""Freshness: how long after a command's 202 its effect is readable, split at the publish."""

from __future__ import annotations

from typing import Any

from bench.cpu import CpuMeter
from bench.observer import PublishObserver
from bench.procs import run_loadgen
from bench.stats import latency_summary
from bench.system import System

FRESHNESS_SECONDS = 5.0


def freshness(
    system: System, rate: float, seconds: float = FRESHNESS_SECONDS, token: bool = True
) -> dict[str, Any]:
    """Open-loop BookStay at `rate`; each 202 is read back with its consistency token (or polled)."""
    spec = {"mode": "fresh", "url": system.url("command_service"), "query_url": system.url("query_service"),
            "hotels": system.hotels, "rate": rate, "duration": seconds, "token": token,
            "headers": system.headers("service"), "query_headers": system.headers()}  # fmt: skip
    meter, observer = CpuMeter.start(), PublishObserver(system.env["RABBITMQ_URL"]).start()
    result = run_loadgen(spec)
    result["rate"], result["cpu_share"], result["token"] = rate, meter.stop(result["cpu_s"]), token
    result["stages"] = stages(result.pop("records"), observer.stop())
    how = "with token" if token else "polled"
    p50, p99 = result["p50_ms"] or 0.0, result["p99_ms"] or 0.0
    print(f"    freshness at {rate:.0f} cmd/s ({how}): p50 {p50:.0f} ms, p99 {p99:.0f} ms", flush=True)
    return result


def stages(records: list[list[Any]], published: dict[str, float]) -> dict[str, Any]:
    """Freshness split at the moment the event reached RabbitMQ, plus the query gate's own wait."""
    seen = [(published[aggregate], accepted, fresh, waited) for aggregate, accepted, fresh, waited in records
            if aggregate in published]  # fmt: skip
    return {
        "observed": len(seen),
        "accepted_to_published": latency_summary([p - a for p, a, _, _ in seen]),
        "published_to_readable": latency_summary([f - p for p, _, f, _ in seen]),
        "query_gate_wait": latency_summary([w / 1000 for _, _, _, w in seen]),
    }
