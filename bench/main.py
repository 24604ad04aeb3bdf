"""One bench run: raw limits, the peer, Innkeeper; then the table, the JSON and docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import docs, innkeeper, peer, raw, raw_pg, raw_read
from bench.details import detail_lines, noisy_phases, raw_lines
from bench.infra import Infra, infrastructure
from bench.machine import describe, one_line
from bench.procs import brief
from bench.report import build_rows, table

RESULTS = Path(__file__).resolve().parent / "results"
READ_CONCURRENCY = 32
READ_SECONDS = 6.0
Work = Callable[[], dict[str, Any]]


def measure(into: dict[str, Any], key: str, label: str, work: Work, notes: list[str]) -> None:
    """Run one measurement; a failure is recorded as "not available" with its reason, never a number."""
    print(f"· {label} …", flush=True)
    started = time.monotonic()
    try:
        into[key] = work()
    except Exception as error:
        traceback.print_exc()
        into[key] = {"error": f"{type(error).__name__}: {error}"}
        notes.append(f"{label}: not available ({brief(error)})")
    print(f"  done in {time.monotonic() - started:.1f}s", flush=True)


def raw_limits(infra: Infra, notes: list[str]) -> dict[str, Any]:
    """The raw limits of the parts, each measured alone (standalone figures of the report)."""
    dsn, url = infra.database("raw"), infra.mongodb_url()

    def append(lock: str = "") -> Work:
        return lambda: asyncio.run(raw_pg.postgres_append(dsn, lock=lock))

    plan: list[tuple[str, str, Work]] = [
        ("rabbitmq", "raw RabbitMQ publish/consume", lambda: asyncio.run(raw.rabbitmq(infra.vhost("raw")))),
        ("postgres_append", "raw PostgreSQL append", append()),
        ("postgres_append_locked", "raw PostgreSQL append + advisory lock", append("statement")),
        ("postgres_append_locked_in_insert", "raw PostgreSQL append, lock in INSERT", append("in-insert")),
        ("postgres_append_shared", "raw PostgreSQL append, shared lock", append("shared-in-insert")),
        ("mongodb_bulk", "raw Mongo bulk upserts", lambda: asyncio.run(raw.mongodb_bulk(url, "bench_bulk"))),
        ("fastapi_intake", "raw FastAPI BookStay intake",
         lambda: raw_read.fastapi_intake(infra, READ_CONCURRENCY, 3.0)),
        ("fastapi_find_one", "raw FastAPI find-one",
         lambda: raw_read.fastapi_find_one(infra, READ_CONCURRENCY, READ_SECONDS)),
    ]  # fmt: skip
    parts: dict[str, Any] = {}
    for key, label, work in plan:
        measure(parts, key, label, work, notes)
    return parts


def run() -> dict[str, Any]:
    started = time.monotonic()
    log_dir = Path(tempfile.mkdtemp(prefix="innkeeper-bench-"))
    results: dict[str, Any] = {"timestamp": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "notes": []}
    print(f"logs of this run: {log_dir}", flush=True)
    with infrastructure(log_dir) as infra:
        results["machine"] = describe(infra)
        print(f"machine: {one_line(results['machine'])}", flush=True)
        notes = results["notes"]
        results["raw"] = raw_limits(infra, notes)
        measure(results, "peer", "peer: eventsourcing + PostgreSQL",
                lambda: peer.eventsourcing_peer(infra.database("peer")), notes)  # fmt: skip
        best_threads = results["peer"].get("best_threads", 8)
        measure(results, "innkeeper", "Innkeeper",
                lambda: innkeeper.measure_all(infra, READ_CONCURRENCY, READ_SECONDS, notes, best_threads),
                notes)  # fmt: skip
    results["duration_s"] = time.monotonic() - started
    return results


def main() -> None:
    results = run()
    rows = build_rows(results)
    results["rows"] = [{**row.__dict__, "ratio": row.ratio} for row in rows]
    results["verdicts"] = dict(Counter(row.verdict for row in rows if row.verdict))
    if noisy := noisy_phases(results):
        results["notes"].append("other work on the machine took CPU during: " + ", ".join(noisy))
    print("\n" + table(rows) + "\n\nRaw limits and peer:\n" + "\n".join(raw_lines(results)))
    print("\nWhere the time went:\n" + "\n".join(detail_lines(results)))
    for note in results["notes"]:
        print(f"note: {note}")
    print("targets: " + ", ".join(f"{n} {verdict}" for verdict, n in sorted(results["verdicts"].items())))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults: {out}\ndocs: {docs.write(results, rows)}\nwhole run: {results['duration_s']:.0f}s")
