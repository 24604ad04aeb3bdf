"""Turn one run's results into rows (figure, baseline, ratio), targets (PASS/MISS), a table and JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Results = dict[str, Any]


@dataclass(frozen=True)
class Row:
    """One figure of Innkeeper beside the raw limit or peer figure it is compared with."""

    measure: str
    value: float | None
    unit: str
    baseline_name: str = ""
    baseline: float | None = None
    target: str = ""
    verdict: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline


def get(results: Results, *path: str) -> Any:
    """results[a][b]..., or None when any step is missing (a section that did not run)."""
    node: Any = results
    for key in path:
        if isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return None
    return node


def ratio_row(measure: str, value: Any, unit: str, name: str, baseline: Any, at_least: float | None) -> Row:
    row = Row(measure, value, unit, name, baseline)
    if at_least is None:
        return row
    verdict = "n/a" if row.ratio is None else "PASS" if row.ratio >= at_least else "MISS"
    return Row(measure, value, unit, name, baseline, f"ratio >= {at_least}", verdict)


def ratio_cap_row(measure: str, value: Any, unit: str, name: str, baseline: Any, at_most: float) -> Row:
    row = Row(measure, value, unit, name, baseline)
    verdict = "n/a" if row.ratio is None else "PASS" if row.ratio <= at_most else "MISS"
    return Row(measure, value, unit, name, baseline, f"ratio <= {at_most}", verdict)


def limit_row(measure: str, value: Any, unit: str, at_most: float) -> Row:
    verdict = "n/a" if value is None else "PASS" if value <= at_most else "MISS"
    return Row(measure, value, unit, target=f"<= {at_most:g} {unit}", verdict=verdict)


def build_rows(r: Results) -> list[Row]:
    ink = get(r, "innkeeper") or {}
    # Prefer the baselines measured around the Innkeeper figure (bench/paired.py) to the standalone ones.
    append = get(ink, "commands_baselines", "postgres_append", "per_s") or get(
        r, "raw", "postgres_append", "per_s"
    )
    peer = get(ink, "commands_baselines", "peer", "per_s") or get(r, "peer", "per_s")
    pg_name = "raw PG append, 8 conns" + (" (paired)" if get(ink, "commands_baselines") else "")
    peer_name = "eventsourcing peer" + (" (paired)" if get(ink, "commands_baselines") else "")
    around_projector = " (paired)" if get(ink, "projector_baselines") else ""
    bulk = get(ink, "projector_baselines", "mongodb_bulk", "per_s") or get(r, "raw", "mongodb_bulk", "per_s")
    paired = get(ink, "raw_find_one_paired")
    read_raw = paired or get(r, "raw", "fastapi_find_one")
    raw_name = "raw FastAPI find-one" + (" (paired)" if paired else "")
    rows = [ratio_row(f"BookStay commands/s, concurrency {c}", get(ink, "commands", str(c), "per_s"),
                      "cmd/s", pg_name, append, None) for c in (1, 8)]  # fmt: skip
    c32 = get(ink, "commands", "32", "per_s")
    rows += [
        ratio_row("BookStay commands/s, concurrency 32", c32, "cmd/s", peer_name, peer, 2.0),
        ratio_row("BookStay commands/s, concurrency 32", c32, "cmd/s", pg_name, append, 0.4),
        ratio_row("BookStay commands/s, concurrency 32", c32, "cmd/s", "raw append + shared lock (paired)",
                  get(ink, "commands_baselines", "postgres_append_shared", "per_s"), None),
        ratio_row("BookStay commands/s, concurrency 32", c32, "cmd/s", "raw FastAPI intake, no DB",
                  get(r, "raw", "fastapi_intake", "per_s"), None),
        ratio_row("projector events applied/s", get(ink, "projector", "events_per_s"), "ev/s",
                  "raw RabbitMQ consume+ack", get(r, "raw", "rabbitmq", "consume_per_s"), None),
        ratio_row("projector document writes/s", get(ink, "projector", "documents_per_s"), "doc/s",
                  f"raw Mongo bulk upserts{around_projector}", bulk, 0.8),
        limit_row("projector document writes per event", get(ink, "projector", "writes_per_event"),
                  "writes", 2.5),
        ratio_row("GET /hotels/{id} req/s", get(ink, "hotel_detail", "rps"), "req/s",
                  raw_name, get(read_raw, "rps"), 0.8),
    ]  # fmt: skip
    raw_p99 = get(read_raw, "p99_ms")
    rows += [
        ratio_cap_row("GET /hotels/{id} p99", get(ink, "hotel_detail", "p99_ms"), "ms", f"{raw_name} p99",
                      raw_p99, 1.2),
        ratio_row("GET /hotels/{id} p50", get(ink, "hotel_detail", "p50_ms"), "ms",
                  f"{raw_name} p50", get(read_raw, "p50_ms"), None),
        ratio_row("GET /hotels?city&dates req/s", get(ink, "hotel_search", "rps"), "req/s",
                  raw_name, get(read_raw, "rps"), 0.5),
        ratio_cap_row("GET /hotels?city&dates p99", get(ink, "hotel_search", "p99_ms"), "ms",
                      f"{raw_name} p99", raw_p99, 2.0),
        limit_row("freshness p50 at half load", get(ink, "freshness", "p50_ms"), "ms", 30),
        limit_row("freshness p99 at half load", get(ink, "freshness", "p99_ms"), "ms", 150),
        Row("freshness p50 at 10 cmd/s (no target)", get(ink, "freshness_low", "p50_ms"), "ms"),
        Row("freshness p99 at 10 cmd/s (no target)", get(ink, "freshness_low", "p99_ms"), "ms"),
        Row("  same, polled every 2 ms without token, p50", get(ink, "freshness_low_polled", "p50_ms"), "ms"),
        ratio_row("BookStay via innkeeper_client, concurrency 8 (202/s)", get(ink, "client", "client_per_s"),
                  "cmd/s", "raw load generator (paired)", get(ink, "client", "raw_per_s"), None),
        ratio_row("sustained BookStay rate, projector keeping up", get(ink, "sustained", "rate"), "cmd/s",
                  "best BookStay rate (projector stopped)", get(ink, "sustained", "best_rate"), 0.8),
    ]  # fmt: skip
    one, two = "one process (same phase)", "two query-service processes"
    rows += [
        ratio_row(f"GET /hotels/{{id}} req/s, {two}", get(ink, "scale_out", "reads", "two", "rps"), "req/s",
                  one, get(ink, "scale_out", "reads", "one", "rps"), None),
        ratio_row("projector events applied/s, two projector processes",
                  get(ink, "scale_out", "projector", "two", "events_per_s"), "ev/s",
                  one, get(ink, "scale_out", "projector", "one", "events_per_s"), None),
    ]  # fmt: skip
    return rows + token_rows(ink, c32) + sealing_rows(ink, c32) + [verify_row(ink)]


def verify_row(ink: Results) -> Row:
    """`python -m projector verify` after the run: the live read model equals a rebuild of the log."""
    passed, differences = get(ink, "verify", "passed"), get(ink, "verify", "difference_count")
    verdict = "n/a" if passed is None else "PASS" if passed else "MISS"
    measure = "make verify after the run (live read model = rebuild)"
    return Row(measure, differences, "differences", target="exits 0", verdict=verdict)


def token_rows(ink: Results, c32: float | None) -> list[Row]:
    """A token check's p50, as a share of the time one BookStay takes at concurrency 32 (1 / rate)."""
    rows = []
    for case, label in (("remembered", "token seen before"), ("first_sight", "token seen first")):
        p50 = get(ink, "token_checks", case, "p50_us")
        share = None if p50 is None or not c32 else 100 * p50 * c32 / 1e6
        rows.append(Row(f"bearer token check, {label}, p50", p50, "us"))
        measure = f"  as a share of a BookStay at concurrency 32 ({label})"
        rows.append(limit_row(measure, share, "%", 5) if case == "remembered" else Row(measure, share, "%"))
    return rows


def sealing_rows(ink: Results, c32: float | None) -> list[Row]:
    """Sealing a booking's personal data (bench/sealing_cost.py), as a share of a BookStay at c=32."""
    rows = []
    cases = (("new_guest", "a new guest (key made and wrapped)"), ("returning_guest", "a known guest"))
    for case, label in cases:
        p50 = get(ink, "sealing", case, "p50_us")
        share = None if p50 is None or not c32 else 100 * p50 * c32 / 1e6
        rows.append(Row(f"sealing a BookStay's personal data, {label}, p50", p50, "us"))
        rows.append(limit_row(f"  as a share of a BookStay at concurrency 32 ({label})", share, "%", 10))
    return rows


def fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 10 else f"{value:,.0f}"
    return str(value)


def table(rows: list[Row]) -> str:
    """A Markdown table (also readable on a terminal)."""
    head = "| measure | Innkeeper | compared with | baseline | ratio | target | verdict |"
    lines = [head, "|---|--:|---|--:|--:|---|---|"]
    for row in rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}"
        value = "not available" if row.value is None else f"{fmt(row.value)} {row.unit}"
        baseline = "" if not row.baseline_name else fmt(row.baseline)
        cells = [row.measure, value, row.baseline_name, baseline, ratio, row.target, row.verdict]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
