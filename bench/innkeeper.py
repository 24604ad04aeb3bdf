"""Innkeeper's figures: commands/s, projector throughput, reads, and freshness — on real processes.

Order of the run, and why:
1. start the three services (projector first, so its shard queues exist), register hotels, wait until
   the query service reads them;
2. stop the projector, then drive BookStay at concurrency 1, 8, 32. A command counts once its events are
   committed AND published (the outbox is empty); rate = accepted / (first send -> outbox empty). With the
   projector stopped the command side gets the CPU the projector would take on this 2-core machine, and
   the events pile up in its durable shard queues;
3. restart the projector on that backlog: events/s and document writes/s from first to last applied;
4. GET /hotels/{id} in rounds alternating with the raw FastAPI baseline, then the city+dates search;
5. freshness: BookStay at half the best command rate, each 202 followed by a read with its token; then
   the same at 10 commands/s, to tell the cost of the path from queueing;
6. BookStay through innkeeper_client beside the raw load generator (paired): what the client costs;
7. the sustained end-to-end rate (bench/sustained.py): open-loop steps up to the best command rate;
8. scale-out (bench/scale_out.py, BENCH_SCALE_OUT=0 skips it): two query services and two projectors;
9. `python -m projector verify` on this system: the live read model equals a rebuild (bench/verify_run.py).
Every command carries a bearer token (the load generator is a service granted every command; reads of
bookings use an admin's token); bench/auth_cost.py measures what checking one costs.
Steps 2 and 3 are sandwiched between short runs of their baselines (bench/paired.py).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from bench.applied import AppliedEvents
from bench.auth_cost import token_checks
from bench.cpu import CpuMeter
from bench.freshness import freshness
from bench.infra import Infra
from bench.paired import Baselines, command_baselines, sandwich, store_baselines
from bench.procs import brief, run_loadgen, stop
from bench.progress import mean_batch_size, settled_writes, watch_drain
from bench.raw_read import PATHS, median_of, raw_read_server, trial
from bench.scale_out import enabled as scale_out_enabled
from bench.scale_out import scale_out
from bench.sealing_cost import sealing_costs
from bench.sustained import sustained
from bench.system import CITIES, System, missing_services
from bench.verify_run import verify_read_model

HOTELS = 48
COMMAND_SECONDS = {1: 3.0, 8: 4.0, 32: 4.0}
READ_ROUNDS = 3
LOW_RATE = 10.0


def commands(system: System) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for concurrency, seconds in COMMAND_SECONDS.items():
        spec = {"mode": "book", "url": system.url("command_service"), "hotels": system.hotels,
                "concurrency": concurrency, "duration": seconds, "seed": concurrency,
                "headers": system.headers("service")}  # fmt: skip
        meter, profile = CpuMeter.start(), system.profile("command_service", seconds, concurrency == 32)
        sampler = system.activity_sampler().start()
        load = run_loadgen(spec)
        load["postgres_backends"] = sampler.stop()
        published_at = system.wait_outbox_empty()
        load["cpu_share"], load["profile"] = meter.stop(load["cpu_s"]), profile.finish()
        load["per_s"] = load["accepted"] / (published_at - load["began_wall"])
        for group, key in (("command-service", "service"), ("PostgreSQL (bench backends)", "postgres")):
            load[f"{key}_cpu_ms_per_command"] = (
                1000 * meter.seconds.get(group, 0.0) / max(load["accepted"], 1)
            )
        load["publish_lag_s"] = published_at - load["ended_wall"]
        out[str(concurrency)] = load
        print(f"    concurrency {concurrency}: {load['per_s']:.0f} cmd/s {load['statuses']}", flush=True)
    return out


def projector(system: System, after_position: int) -> dict[str, Any]:
    backlog = system.event_stats(after_position)
    applied = AppliedEvents([system.url("projector")], system.headers())
    try:
        meter = CpuMeter.start()
        system.start_one("projector")
        profile = system.profile("projector", 8, True)
        metrics_url, operator = f"{system.url('projector')}/metrics", system.headers()
        # A new process: its counters hold this backlog's events and writes and nothing else.
        drain = watch_drain(applied, 0, backlog["events"], timeout=90)
        written, batch = settled_writes(metrics_url, operator), mean_batch_size(metrics_url, operator)
        cpu_share = meter.stop()
    finally:
        applied.close()
    events_per_s = drain.per_second
    result: dict[str, Any] = {"events": backlog["events"], "events_per_s": events_per_s,
                              "seconds": drain.last_time - drain.first_time, "cpu_share": cpu_share,
                              "profile": profile.finish(), "mean_batch": batch}  # fmt: skip
    if written:
        events = max(backlog["events"], 1)
        result["writes_per_event"] = per_event = sum(written.values()) / events
        result["writes_per_event_by_kind"] = {kind: n / events for kind, n in written.items()}
        result["documents_per_s"] = events_per_s * per_event
    print(f"    projector: {events_per_s:.0f} ev/s over {result['seconds']:.1f}s, "
          f"{result.get('writes_per_event', 0):.2f} writes per event", flush=True)  # fmt: skip
    return result


def reads(system: System, concurrency: int, seconds: float) -> dict[str, Any]:
    """Hotel page in rounds alternating with the raw FastAPI find-one (same minute, same noise); search."""
    url = system.url("query_service")
    detail = [f"/hotels/{hotel_id}" for hotel_id, _ in system.hotels]
    search = [f"/hotels?city={city}&check_in=2027-0{month}-10&check_out=2027-0{month}-1{nights}"
              for city in CITIES for month in range(1, 7) for nights in (1, 3)]  # fmt: skip
    raw_rounds, detail_rounds = [], []
    with raw_read_server(system.infra) as raw_url:
        for index in range(READ_ROUNDS):
            raw_rounds.append(trial(raw_url, PATHS, concurrency, seconds / READ_ROUNDS))
            profile = system.profile("query_service", seconds / READ_ROUNDS + 1, index == 0)
            detail_rounds.append(trial(url, detail, concurrency, seconds / READ_ROUNDS))
            detail_rounds[-1]["profile"] = profile.finish()
    profile = system.profile("query_service", seconds / 2 + 1, True)
    out = {"hotel_detail": median_of(detail_rounds), "raw_find_one_paired": median_of(raw_rounds),
           "hotel_search": trial(url, search, concurrency, seconds / 2)}  # fmt: skip
    out["hotel_detail"]["profile"], out["hotel_search"]["profile"] = (
        detail_rounds[0]["profile"],
        profile.finish(),
    )
    for name in ("hotel_detail", "raw_find_one_paired", "hotel_search"):
        print(f"    {name}: {out[name]['rps']:.0f} req/s p99 {out[name]['p99_ms']:.1f} ms", flush=True)
    return out


def client_cost(system: System, concurrency: int = 8, seconds: float = 3.0) -> dict[str, Any]:
    """BookStay through innkeeper_client beside the raw load generator sending an Idempotency-Key too
    (the client always sends one, and the service stores each), paired: raw, client, raw. 202 answers
    per second each; the raw generator without keys once more, for what storing the keys costs."""
    base = {"url": system.url("command_service"), "hotels": system.hotels, "concurrency": concurrency,
            "duration": seconds, "headers": system.headers("service"), "idempotency_keys": True}  # fmt: skip
    plan = [("book", True), ("book_client", True), ("book", True), ("book", False)]
    runs = [run_loadgen({**base, "mode": mode, "idempotency_keys": keys, "seed": 100 + index})
            for index, (mode, keys) in enumerate(plan)]  # fmt: skip
    per_s = [run["accepted"] / (run["ended_wall"] - run["began_wall"]) for run in runs]
    raw = (per_s[0] + per_s[2]) / 2
    out = {"concurrency": concurrency, "raw_per_s": raw, "client_per_s": per_s[1],
           "raw_without_keys_per_s": per_s[3], "client_p50_ms": runs[1]["p50_ms"],
           "raw_p50_ms": runs[0]["p50_ms"], "statuses": [run["statuses"] for run in runs]}  # fmt: skip
    print(
        f"    client: {per_s[1]:.0f} cmd/s beside raw {raw:.0f} cmd/s (no keys: {per_s[3]:.0f})", flush=True
    )
    return out


def measure_all(
    infra: Infra, concurrency: int, seconds: float, notes: list[str], peer_threads: int = 8
) -> dict[str, Any]:
    if missing := missing_services():
        notes.append(f"Innkeeper: not available (no `python -m` entry point yet for {', '.join(missing)})")
        return {"available": False, "missing": missing}
    system = System(infra)
    system.start()
    system.wait_readable(system.register_hotels(HOTELS))
    before = system.event_stats()["last_position"]
    stop(system.procs.pop("projector"))
    out: dict[str, Any] = {"available": True, "hotels": HOTELS}

    def attempt(key: str, work: Callable[[], dict[str, Any]]) -> None:
        try:
            out[key] = work()
        except Exception as error:  # one failed part must not hide the figures of the others
            traceback.print_exc()
            out[key] = {"error": f"{type(error).__name__}: {error}"}
            notes.append(f"Innkeeper {key}: not available ({brief(error)})")

    def with_baselines(key: str, baselines: Baselines, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        result, out[f"{key}_baselines"] = sandwich(baselines, work)
        return result

    attempt("commands", lambda: with_baselines("commands", command_baselines(infra, peer_threads),
                                               lambda: commands(system)))  # fmt: skip
    attempt("projector", lambda: with_baselines("projector", store_baselines(infra),
                                                lambda: projector(system, before)))  # fmt: skip
    attempt("token_checks", lambda: token_checks(system))
    attempt("sealing", sealing_costs)
    if "projector" not in system.procs:
        system.start_one("projector")
    attempt("reads", lambda: reads(system, concurrency, seconds))
    out.update(out.pop("reads", {}))
    rates = [run["per_s"] for run in out["commands"].values() if isinstance(run, dict) and "per_s" in run]
    if rates:
        attempt("freshness", lambda: freshness(system, max(max(rates) / 2, 1.0)))
    else:
        notes.append("Innkeeper freshness at half load: not available (no command rate was measured)")
    # The same at a trickle: separates what the path costs by design from queueing under load.
    attempt("freshness_low", lambda: freshness(system, LOW_RATE, 4.0))
    # And without the token, polling every 2 ms: what the query gate's back-off adds.
    attempt("freshness_low_polled", lambda: freshness(system, LOW_RATE, 4.0, token=False))
    attempt("client", lambda: client_cost(system))
    if rates:
        attempt("sustained", lambda: sustained(system, max(rates)))
    if scale_out_enabled():
        attempt("scale_out", lambda: scale_out(system))
    attempt("verify", lambda: verify_read_model(system))  # issue 18: `make verify` after the run passes
    return out
