"""The sustained-rate curve as a small PNG beside docs/benchmarks.md: freshness against accepted rate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.sustained_rules import FRESHNESS_P99_MS


def write_curve(steps: Sequence[dict[str, Any]], best_rate: float, sustained: float, path: Path) -> Path:
    """Freshness p50/p99 per step (failed steps crossed), the p99 target and the best command rate."""
    # Imported here: matplotlib is slow to import and only this writer needs it; Figure alone (no
    # pyplot) draws without a display or global state.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.6), dpi=100, layout="constrained")
    axes = figure.subplots()
    rates = [step["accepted_per_s"] for step in steps]
    series = (("p50_ms", "freshness p50", "tab:blue"), ("p99_ms", "freshness p99", "tab:red"))
    for key, label, colour in series:
        values = [step.get(key) or float("nan") for step in steps]
        axes.plot(rates, values, color=colour, label=label, linewidth=1.2)
        kept = [(r, v) for r, v, step in zip(rates, values, steps, strict=True) if step.get("keeps_up")]
        missed = [(r, v) for r, v, step in zip(rates, values, steps, strict=True) if not step.get("keeps_up")]
        axes.scatter([r for r, _ in kept], [v for _, v in kept], color=colour, marker="o", zorder=3)
        axes.scatter([r for r, _ in missed], [v for _, v in missed], color=colour, marker="x", s=60, zorder=3)
    axes.axhline(FRESHNESS_P99_MS, color="grey", linestyle="--", linewidth=0.8, label="p99 target")
    axes.axvline(best_rate, color="black", linestyle=":", linewidth=0.8, label="best command rate")
    axes.axvline(0.8 * best_rate, color="green", linestyle=":", linewidth=0.8, label="0.8 x best (target)")
    axes.set_yscale("log")
    axes.set_xlim(left=0)
    axes.set_xlabel("BookStay accepted, cmd/s (open loop)")
    axes.set_ylabel("202 -> readable, ms")
    ratio = sustained / best_rate if best_rate else 0.0
    axes.set_title(f"Sustained {sustained:.0f} cmd/s = {ratio:.2f} x best command rate (x: falls behind)")
    axes.legend(fontsize="small", loc="best")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=path.suffix.lstrip(".") or "png", metadata={"Software": None})
    return path
