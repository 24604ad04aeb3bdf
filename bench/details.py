"""The lines under the table: raw limits and peer, and where the time went in each phase."""

from __future__ import annotations

from bench.report import Results, fmt, get


def raw_lines(r: Results) -> list[str]:
    """The raw limits and the peer, one line each."""
    lines = []
    for label, path, unit in (
        ("RabbitMQ publish, persistent, pipelined confirms", ("raw", "rabbitmq", "publish_per_s"), "msg/s"),
        ("RabbitMQ consume, manual ack", ("raw", "rabbitmq", "consume_per_s"), "msg/s"),
        ("PostgreSQL 1-row append txn, 8 connections", ("raw", "postgres_append", "per_s"), "txn/s"),
        ("  + exclusive pg_advisory_xact_lock first (order lock <9ff8b63)",
         ("raw", "postgres_append_locked", "per_s"), "txn/s"),
        ("  + the exclusive lock inside the INSERT (order lock <1ba7d8d)",
         ("raw", "postgres_append_locked_in_insert", "per_s"), "txn/s"),
        ("  + the lock SHARED inside the INSERT (Innkeeper's append)",
         ("raw", "postgres_append_shared", "per_s"), "txn/s"),
        ("Mongo store bulk_write upserts (4 writers x 500)", ("raw", "mongodb_bulk", "per_s"), "doc/s"),
        ("FastAPI + find_one by _id, 32 connections", ("raw", "fastapi_find_one", "rps"), "req/s"),
        ("FastAPI BookStay intake, validate + 202, no DB, 32 conns", ("raw", "fastapi_intake", "per_s"),
         "req/s"),
        ("eventsourcing peer (best thread count)", ("peer", "per_s"), "cmd/s"),
    ):  # fmt: skip
        lines.append(f"  {label:<58} {fmt(get(r, *path)):>10} {unit}")
    p50, p99 = get(r, "raw", "fastapi_find_one", "p50_ms"), get(r, "raw", "fastapi_find_one", "p99_ms")
    lines.append(f"  {'  FastAPI find-one latency p50 / p99':<58} {fmt(p50):>10} / {fmt(p99)} ms")
    return lines


PHASES = (
    ("raw FastAPI find-one", ("raw", "fastapi_find_one", "rounds", "0", "cpu_share")),
    ("BookStay c=8", ("innkeeper", "commands", "8", "cpu_share")),
    ("BookStay c=32", ("innkeeper", "commands", "32", "cpu_share")),
    ("projector drain", ("innkeeper", "projector", "cpu_share")),
    ("GET /hotels/{id}", ("innkeeper", "hotel_detail", "rounds", "0", "cpu_share")),
    ("GET /hotels?city&dates", ("innkeeper", "hotel_search", "cpu_share")),
    ("freshness", ("innkeeper", "freshness", "cpu_share")),
)


def detail_lines(r: Results) -> list[str]:
    """Where the CPU went per phase (share of both cores), PostgreSQL backends, freshness stages."""
    lines = []
    for label, path in PHASES:
        share = get(r, *path)
        if isinstance(share, dict):
            top = ", ".join(f"{name} {100 * value:.0f}%" for name, value in list(share.items())[:6])
            lines.append(f"  CPU {label:<24} {top}")
    commands = get(r, "innkeeper", "commands") or {}
    per_command = [f"c={c} {fmt(get(commands, c, 'service_cpu_ms_per_command'))} ms"
                   f" + PostgreSQL {fmt(get(commands, c, 'postgres_cpu_ms_per_command'))} ms"
                   for c in ("1", "8", "32")]  # fmt: skip
    intake = fmt(get(r, "raw", "fastapi_intake", "cpu_ms_per_request"))
    lines.append(
        f"  command-service CPU per BookStay: {', '.join(per_command)} (raw FastAPI intake: {intake} ms)"
    )
    batch, by_kind = (
        get(r, "innkeeper", "projector", "mean_batch"),
        get(r, "innkeeper", "projector", "writes_per_event_by_kind"),
    )
    if isinstance(by_kind, dict):
        kinds = ", ".join(f"{kind.replace('_', ' ')}s {n:.2f}" for kind, n in sorted(by_kind.items()))
        lines.append(f"  projector drain: mean batch {fmt(batch)} events; writes per event from its"
                     f" innkeeper_projector_documents_written_total counter: {kinds}")  # fmt: skip
    for concurrency in ("8", "32"):
        backends = get(r, "innkeeper", "commands", concurrency, "postgres_backends")
        if isinstance(backends, dict):
            shown = ", ".join(f"{what} {n}" for what, n in list(backends.items())[:8])
            lines.append(f"  PostgreSQL backends, BookStay c={concurrency} (mean): {shown}")
    for key in ("freshness", "freshness_low", "freshness_low_polled"):
        stages = get(r, "innkeeper", key, "stages")
        if not isinstance(stages, dict):
            continue
        lines.append(f"  {key} at {fmt(get(r, 'innkeeper', key, 'rate'))} cmd/s, by stage:")
        for stage in ("accepted_to_published", "published_to_readable", "query_gate_wait"):
            s = stages.get(stage) or {}
            lines.append(f"    {stage:<24} p50 {fmt(s.get('p50_ms'))} ms, p99 {fmt(s.get('p99_ms'))} ms")
    return lines + sustained_lines(r) + scale_out_lines(r)


def sustained_lines(r: Results) -> list[str]:
    """One line per open-loop step of the sustained-rate phase, with why it fell behind."""
    phase = get(r, "innkeeper", "sustained")
    if not isinstance(phase, dict) or not phase.get("steps"):
        return []
    lines = [f"  sustained rate, {fmt(phase['step_seconds'])} s steps, every {phase['read_every']}th booking"
             f" read back (best command rate {fmt(phase['best_rate'])} cmd/s):"]  # fmt: skip
    for step in phase["steps"]:
        verdict = "keeps up" if step["keeps_up"] else "falls behind: " + "; ".join(step["shortfalls"])
        lines.append(
            f"    offered {fmt(step['offered'])} -> accepted {fmt(step['accepted_per_s'])} cmd/s"
            f" ({fmt(step['events_per_s'])} ev/s), freshness p50 {fmt(step['p50_ms'])} / p99"
            f" {fmt(step['p99_ms'])} ms, backlog at the end {fmt(step['backlog_end'])} events: {verdict}"
        )
        lines.append("      " + cpu_per_command(step, int(get(r, "machine", "cores") or 1)))
    if phase.get("stopped"):
        lines.append(f"    stopped: {phase['stopped']}")
    return lines


def cpu_per_command(step: dict[str, object], cores: int) -> str:
    """Where one accepted command's CPU went in a sustained step (ms per component), and how busy the
    machine was: what bounds the rate on these cores, and what a faster store would free."""
    share, accepted = step.get("cpu_share"), step.get("accepted_per_s")
    if not isinstance(share, dict) or not isinstance(accepted, float | int) or not accepted:
        return "CPU per command: n/a"
    per = {name: 1000 * value * cores / accepted for name, value in share.items()}
    parts = ", ".join(f"{name} {ms:.2f}" for name, ms in per.items() if ms >= 0.05)
    busy = 100 * sum(v for n, v in share.items() if not n.startswith("other"))
    return (
        f"CPU per command {sum(per.values()):.2f} ms ({parts}); this bench kept the machine {busy:.0f} % busy"
    )


def shares(cpu_share: object, wanted: tuple[str, ...]) -> str:
    """The CPU shares of the named processes first, then the next biggest others."""
    if not isinstance(cpu_share, dict):
        return "n/a"
    named = [name for name in cpu_share if name.startswith(wanted)]
    rest = [name for name in cpu_share if name not in named][:3]
    return ", ".join(f"{name} {100 * cpu_share[name]:.0f}%" for name in [*named, *rest])


def scale_out_lines(r: Results) -> list[str]:
    """One query service against two, one projector process against two: figures and CPU per process."""
    phase = get(r, "innkeeper", "scale_out")
    if not isinstance(phase, dict) or "reads" not in phase:
        return []
    reads, drains = phase["reads"], phase.get("projector") or {}
    one, two = fmt(reads["one"]["rps"]), fmt(reads["two"]["rps"])
    lines = [f"  scale-out, GET /hotels/{{id}} at 32 connections: one query service {one} req/s, two {two}"
             " req/s (rounds one, two, two, one)",
             f"    CPU with two: {shares(reads['two']['cpu_share'], ('query-service',))}"]  # fmt: skip
    for which in ("one", "two"):
        if isinstance(drain := drains.get(which), dict):
            held = ", ".join(f"{name} {n}" for name, n in sorted(drain["shards_by_process"].items()))
            lines.append(f"  scale-out, projector drain with {which}: {fmt(drain['events_per_s'])} ev/s of"
                         f" {drain['events']} events; shards applied by {held}; CPU"
                         f" {shares(drain['cpu_share'], ('projector',))}")  # fmt: skip
    return lines


def noisy_phases(r: Results, threshold: float = 0.1) -> list[str]:
    """Phases in which processes outside this bench took more than `threshold` of the machine."""
    noisy = []
    for label, path in PHASES:
        share = get(r, *path)
        if isinstance(share, dict) and share.get("other (not this bench)", 0) > threshold:
            noisy.append(f"{label} ({100 * share['other (not this bench)']:.0f}%)")
    return noisy
