"""Every scenario `make conformance` runs, by name, and the suites (`SCENARIO=all|ci|a,b`).

One fault per scenario, injected `inject_at` seconds into the load and healed `hold` seconds later.

Failpoint scenarios need no action of the harness: their `env` arms the point in every service
(`INNKEEPER_FAILPOINTS=<name>=crash@<N>`: the process kills itself the Nth time it gets there, N chosen so
that it fires a few seconds into the default load) with `INNKEEPER_FAILPOINTS_STATE={run_dir}/failpoints`
(`{run_dir}` is a placeholder the system replaces with the run's directory: the point fires once, and the
restarted process runs normally; the checker finds `<run dir>/failpoints/<name>`).

Clock skew: not a scenario, for want of a way to skew one service's clock that is not a production knob.
Wall time does cross processes (grep time.time, datetime.now and SQL now() in services/ and shared/):
- tokens: `nbf`/`exp` against the verifier's clock with `AUTH_LEEWAY_SECONDS` (30 s) of tolerance
  (innkeeper_kit.auth.verifier); the harness mints the tokens with its own clock;
- projector: heartbeats (`projector_processes.heartbeat_at`, live = beat in the last 3 s by the reader's
  clock) and shard activity (`applied_at`, 3 s) decide shard balancing and whom a rebuild waits for; the
  rebuild's `lease_until` is compared with each live projector's clock (balance.py, rebuild_pause.py);
- `occurred_at` and domain decisions (check-in not in the past, the refund policy's notice) take the
  command service's clock; the projector's `lag_seconds` compares it with its own;
- notifier webhooks sign `int(time.time())` for the receivers' tolerance window.
On PostgreSQL's single clock, hence immune to a service's skew: relay `not_before`, the idempotency window,
notifier `next_attempt_at` and leases. A scenario would need (1) libfaketime (Debian package `libfaketime`,
installed by `make install` and .ci) and (2) environment for ONE service's processes in the system
(e.g. `Scenario.service_env = {"projector": {"LD_PRELOAD": ".../faketime/libfaketime.so.1",
"FAKETIME": "+10s", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}}` with replicas=2; a skew within the token
leeway for the command and query services); neither exists yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.faults import Failpoint, Fault, KillReplica, KillService, StoreKill, TermService
from conformance.faults_events import Poison, Redeliver
from conformance.faults_infra import Latency, Partition, PostgresRestart, RabbitRestart, RabbitStopped
from conformance.system import SERVICES

RUN_DIR = "{run_dir}"
"""Placeholder in a scenario's `env` values: the system puts the run's directory in its place."""
FAILPOINT_STATE = f"{RUN_DIR}/failpoints"


@dataclass(frozen=True)
class Scenario:
    name: str  # kebab-case, e.g. "kill-projector"; SCENARIO=name selects it
    fault: Fault | None  # None = baseline
    inject_at: float = 8.0  # seconds into the load
    hold: float = 0.0  # seconds between inject and heal
    env: dict[str, str] = field(default_factory=dict)  # extra service env; "{run_dir}" is replaced
    replicas: int = 1  # command-service, query-service and projector replicas
    expect_parked: int = 0  # events deliberately parked by the fault (poison)
    expect_failpoint: str | None = None  # the failpoint that must have fired (state dir)
    seed: int = 1  # the load's seed (LoadPlan.seed): runs of one fault with different seeds differ

    @property
    def description(self) -> str:
        return "none" if self.fault is None else self.fault.description


FAILPOINTS = {
    # name in the scenario -> (failpoint, its service, the reach that fires it). Reaches per second under
    # the default load (40 commands/s): the command point once per accepted command, the relay's and the
    # projector's once per batch (about as often at this rate), the notifier's once per mail.
    "relay": ("relay.after_publish_before_mark", "command-service", 120),
    "projector": ("projector.after_write_before_ack", "projector", 120),
    "command": ("command.after_append_before_answer", "command-service", 100),
    "notifier": ("notifier.after_send_before_record", "notifier", 80),
}


def failpoint_env(name: str, nth: int) -> dict[str, str]:
    return {"INNKEEPER_FAILPOINTS": f"{name}=crash@{nth}", "INNKEEPER_FAILPOINTS_STATE": FAILPOINT_STATE}


def _all() -> list[Scenario]:
    scenarios = [Scenario("baseline", None)]
    scenarios += [Scenario(f"kill-{service}", KillService(service)) for service in SERVICES]
    scenarios += [Scenario(f"term-{service}", TermService(service)) for service in SERVICES]
    scenarios += [
        Scenario("rabbitmq-restart", RabbitRestart()),
        Scenario("rabbitmq-stopped-20s", RabbitStopped(), hold=20.0),
        Scenario("postgres-restart", PostgresRestart()),
    ]
    scenarios += [Scenario(f"store-kill-{run}", StoreKill(), seed=run) for run in (1, 2, 3)]
    scenarios += [
        Scenario(f"partition-{name}", Partition(dependency), hold=8.0)
        for name, dependency in (("postgres", "postgres"), ("rabbitmq", "rabbitmq"), ("store", "mongodb"))
    ]
    scenarios += [
        Scenario(f"latency-{dependency}", Latency(dependency, 0.05), hold=10.0)
        for dependency in ("postgres", "rabbitmq")
    ]
    scenarios += [
        Scenario("redeliver-shuffled", Redeliver(sample=200), inject_at=12.0),
        Scenario("poison-event", Poison(), expect_parked=1),
        Scenario("replicas-kill", KillReplica(0), replicas=2),
    ]
    scenarios += [  # injected at once: the fault waits for the crash, then readiness is measured
        Scenario(
            f"failpoint-{short}",
            Failpoint(point, nth, service),
            inject_at=0.0,
            env=failpoint_env(point, nth),
            expect_failpoint=point,
        )
        for short, (point, service, nth) in FAILPOINTS.items()
    ]
    return scenarios


SCENARIOS: dict[str, Scenario] = {scenario.name: scenario for scenario in _all()}
SUITES: dict[str, list[str]] = {
    "all": list(SCENARIOS),
    # Bounded for CI (<= 3 min in all): a crash, the broker restart, a failpoint, the store's crash.
    "ci": ["kill-projector", "rabbitmq-restart", "failpoint-relay", "store-kill-1"],
}


def select(spec: str | None) -> list[Scenario]:
    """None or "all": every scenario; a suite's name: its scenarios; "a,b": those, in that order (a suite
    may be among them; each scenario once). Unknown names: ValueError listing the known ones."""
    names: list[str] = []
    for item in (part.strip() for part in (spec or "all").split(",")):
        if item:
            names += SUITES.get(item, [item])
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown or not names:
        known = ", ".join([*SUITES, *SCENARIOS])
        raise ValueError(f"unknown scenario {', '.join(unknown) or repr(spec)}; known: {known}")
    return [SCENARIOS[name] for name in dict.fromkeys(names)]
