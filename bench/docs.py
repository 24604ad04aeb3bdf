"""Write the latest run into docs/benchmarks.md: replace its section, keep a short dated history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench.details import detail_lines, raw_lines
from bench.machine import one_line
from bench.plot import write_curve
from bench.report import Row, fmt, get, table

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
CURVE = DOC.with_name("benchmarks-sustained.png")
LATEST = ("<!-- latest-run:start -->", "<!-- latest-run:end -->")
HISTORY = ("<!-- history:start -->", "<!-- history:end -->")
KEEP_HISTORY = 10


def latest_section(results: dict[str, Any], rows: list[Row]) -> str:
    notes = "\n".join(f"- {note}" for note in results.get("notes", []))
    return "\n".join([
        f"## Latest run — {results['timestamp']}",
        "",
        f"Machine: {one_line(results['machine'])}. Whole run: {results['duration_s']:.0f} s.",
        "",
        table(rows),
        "",
        "Targets: " + ", ".join(f"{n} {v}" for v, n in sorted(results.get("verdicts", {}).items())),
        "",
        "Raw limits and peer (same run):",
        "",
        "```",
        *raw_lines(results),
        "```",
        "",
        *curve_link(results),
        "Where the time went (CPU share of both cores per phase; PostgreSQL activity; freshness stages):",
        "",
        "```",
        *detail_lines(results),
        "```",
        "",
        notes,
    ]).rstrip()  # fmt: skip


def curve_link(results: dict[str, Any]) -> list[str]:
    """The sustained-rate curve (written by `write`) when the phase ran steps."""
    if not get(results, "innkeeper", "sustained", "steps"):
        return []
    return [f"Sustained rate: freshness against the accepted BookStay rate ![curve]({CURVE.name})", ""]


def history_line(results: dict[str, Any]) -> str:
    """One dated line with the headline figures and the baselines the table compared them with."""
    ink = results.get("innkeeper") or {}

    def baseline(paired: tuple[str, ...], standalone: tuple[str, ...]) -> str:
        return fmt(get(ink, *paired) or get(results, *standalone))

    peer = baseline(("commands_baselines", "peer", "per_s"), ("peer", "per_s"))
    append = baseline(("commands_baselines", "postgres_append", "per_s"), ("raw", "postgres_append", "per_s"))
    bulk = baseline(("projector_baselines", "mongodb_bulk", "per_s"), ("raw", "mongodb_bulk", "per_s"))
    read = baseline(("raw_find_one_paired", "rps"), ("raw", "fastapi_find_one", "rps"))
    parts = [
        f"c32 {fmt(get(ink, 'commands', '32', 'per_s'))} cmd/s (peer {peer}, raw append {append})",
        f"projector {fmt(get(ink, 'projector', 'documents_per_s'))} doc/s (raw bulk {bulk})",
        f"GET /hotels/{{id}} {fmt(get(ink, 'hotel_detail', 'rps'))} req/s (raw {read})",
        f"freshness p50/p99 {fmt(get(ink, 'freshness', 'p50_ms'))}/{fmt(get(ink, 'freshness', 'p99_ms'))} ms",
        f"sustained {fmt(get(ink, 'sustained', 'rate'))} cmd/s ({fmt(get(ink, 'sustained', 'ratio'))}x best)",
    ]
    verdicts = results.get("verdicts", {})
    summary = f"{verdicts.get('PASS', 0)} PASS, {verdicts.get('MISS', 0)} MISS, {verdicts.get('n/a', 0)} n/a"
    return f"- {results['timestamp']} ({results['machine']['commit']}): " + "; ".join(parts) + f" — {summary}"


def between(text: str, markers: tuple[str, str]) -> str:
    match = re.search(re.escape(markers[0]) + r"\n(.*?)" + re.escape(markers[1]), text, re.S)
    return match.group(1) if match else ""


def replace_between(text: str, markers: tuple[str, str], body: str) -> str:
    block = f"{markers[0]}\n{body}\n{markers[1]}"
    pattern = re.escape(markers[0]) + r".*?" + re.escape(markers[1])
    if re.search(pattern, text, re.S):
        return re.sub(pattern, lambda _: block, text, flags=re.S)
    return text.rstrip() + f"\n\n{block}\n"


def write(results: dict[str, Any], rows: list[Row]) -> Path:
    if steps := get(results, "innkeeper", "sustained", "steps"):
        phase = results["innkeeper"]["sustained"]
        write_curve(steps, phase["best_rate"], phase["rate"], CURVE)
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    text = replace_between(text, LATEST, latest_section(results, rows))
    history = [line for line in between(text, HISTORY).splitlines() if line.strip()]
    history = [history_line(results), *history][:KEEP_HISTORY]
    if "## History" not in text:
        text = text.rstrip() + "\n\n## History (most recent first)\n"
    text = replace_between(text, HISTORY, "\n".join(history))
    DOC.write_text(text)
    return DOC
