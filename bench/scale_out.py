"""Scale-out on one host: two query-service processes and two projector processes, beside one of each.

On 2 cores two processes will not double a figure; the question is whether anything serialises across
replicas: are both busy, with similar CPU shares (per process here, bench/cpu.py)?
* reads: GET /hotels/{id} at 32 connections on one query service, then dealt over two, in the order
  one, two, two, one (same minute, same noise);
* projector: a backlog of BookStay (projectors stopped) drained by one projector process, then another
  drained by two started together. A shard is applied by one process at a time
  (x-single-active-consumer), so which process applied which shard is reported, from /status.
BENCH_SCALE_OUT=0 skips the phase (about a minute).
"""

from __future__ import annotations

import os
import statistics
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench import cpu
from bench.applied import AppliedEvents
from bench.backlog import caught_up
from bench.cpu import CpuMeter
from bench.procs import free_port, run_loadgen, stop
from bench.progress import watch_drain
from bench.system import System

READ_SECONDS = 2.0
BACKLOG_SECONDS = 4.0
ROUNDS = ("one", "two", "two", "one")


def enabled() -> bool:
    return os.environ.get("BENCH_SCALE_OUT", "1").lower() not in ("0", "false", "no", "off")


def reads(system: System) -> dict[str, Any]:
    """GET /hotels/{id} req/s on one query service and dealt over two; CPU share per replica."""
    port = free_port()
    second = system.infra.python("query_service", system.env, port)
    names = {system.procs["query_service"].pid: "query-service 1", second.pid: "query-service 2"}
    urls = [system.url("query_service"), f"http://127.0.0.1:{port}"]
    paths = [f"/hotels/{hotel_id}" for hotel_id, _ in system.hotels]
    rounds: dict[str, list[dict[str, Any]]] = {"one": [], "two": []}
    try:
        with cpu.labelled(names):
            for which in ROUNDS:
                spec = {"mode": "get", "urls": urls[: 1 if which == "one" else 2], "paths": paths,
                        "concurrency": 32, "duration": READ_SECONDS, "warmup": 0.5}  # fmt: skip
                meter = CpuMeter.start()
                load = run_loadgen(spec)
                rounds[which].append({"rps": load["rps"], "p99_ms": load["p99_ms"],
                                      "cpu_share": meter.stop(load["cpu_s"])})  # fmt: skip
    finally:
        stop(second)
    return {which: summary(runs) for which, runs in rounds.items()}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean req/s and p99 over rounds; the CPU shares of the first round."""
    mean = {key: statistics.mean(r[key] for r in runs) for key in ("rps", "p99_ms")}
    return {**mean, "rounds": [r["rps"] for r in runs], "cpu_share": runs[0]["cpu_share"]}


def drain(system: System, processes: int) -> dict[str, Any]:
    """A BookStay backlog built with the projector stopped, then drained by `processes` projectors."""
    system.stop_one("projector")
    before = system.event_stats()["last_position"]
    spec = {"mode": "book", "url": system.url("command_service"), "hotels": system.hotels,
            "concurrency": 32, "duration": BACKLOG_SECONDS, "seed": 300 + processes,
            "headers": system.headers("service")}  # fmt: skip
    run_loadgen(spec)
    system.wait_outbox_empty()
    backlog = system.event_stats(before)
    ports = [free_port() for _ in range(processes - 1)]
    applied = AppliedEvents([system.url("projector"), *(f"http://127.0.0.1:{port}" for port in ports)],
                            system.headers())  # fmt: skip
    extra: list[Any] = []
    try:
        with ThreadPoolExecutor(processes) as starting:  # together: either may claim a shard first
            first = starting.submit(system.start_one, "projector")
            others = [starting.submit(system.infra.python, "projector", system.env, port)
                      for port in ports]  # fmt: skip
            extra = [start.result() for start in others]
            first.result()
        meter = CpuMeter.start()  # after the starts: a process's imports are not its share of the drain
        pids = [system.procs["projector"].pid, *(proc.pid for proc in extra)]
        names = {pid: f"projector {index + 1}" for index, pid in enumerate(pids)}
        with cpu.labelled(names):
            done = watch_drain(applied, 0, backlog["events"], timeout=90)  # new processes: counters at 0
            share = meter.stop()
        shards = shard_holders(system, names)
    finally:
        applied.close()
        for proc in extra:
            stop(proc)
    return {"processes": processes, "events": backlog["events"], "events_per_s": done.per_second,
            "cpu_share": share, "shards_by_process": shards}  # fmt: skip


def shard_holders(system: System, names: dict[int, str]) -> dict[str, int]:
    """How many shards each process applied last (the status board names the consumer `host:pid`)."""
    body = httpx.get(f"{system.url('projector')}/status", headers=system.headers(), timeout=5).json()
    holders = Counter(str(shard.get("consumer", "")).rpartition(":")[2] for shard in body["shards"])
    return {names.get(int(pid) if pid.isdigit() else -1, f"other ({pid})"): n for pid, n in holders.items()}


def scale_out(system: System) -> dict[str, Any]:
    """Reads and the projector drain with one and with two processes each."""
    if caught_up(system) is None:
        raise RuntimeError("the projector had not caught up before the scale-out phase")
    out: dict[str, Any] = {"reads": reads(system)}
    try:
        out["projector"] = {"one": drain(system, 1), "two": drain(system, 2)}
    finally:
        if "projector" not in system.procs:  # the phases after this one read through it
            system.start_one("projector")
    one, two = out["reads"], out["projector"]
    print(f"    scale-out: GET /hotels/{{id}} {one['one']['rps']:.0f} -> {one['two']['rps']:.0f} req/s, "
          f"projector {two['one']['events_per_s']:.0f} -> {two['two']['events_per_s']:.0f} ev/s "
          f"(shards {two['two']['shards_by_process']})", flush=True)  # fmt: skip
    return out
