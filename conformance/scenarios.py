"""Every scenario `make conformance` runs, by name, and the suites (`SCENARIO=all|ci|a,b`).

One fault per scenario, injected `inject_at` seconds into the load and healed `hold` seconds later.

Failpoint scenarios need no action of the harness: their `env` arms the point in every service
(`INNKEEPER_FAILPOINTS=<name>=crash@<N>`: the process kills itself the Nth time it gets there, N chosen so
that it fires a few seconds into the default load) with `INNKEEPER_FAILPOINTS_STATE={run_dir}/failpoints`
(`{run_dir}` is a placeholder the system replaces with the run's directory: the point fires once, and the
restarted process runs normally; the checker finds `<run dir>/failpoints/<name>`).

Clock skew (`clock-skew`, two replicas): projector-2 runs 20 s ahead and command-service-2 20 s behind;
the query service, the notifier and the first replicas keep the right time. Debian's libfaketime does it
(conformance.faults_clock: preloaded through run_local's `SERVICE_ENV` into those two processes only,
monotonic clock left real); without the library the scenario is "not available", never passed unskewed.
Wall time crosses processes here (grep time.time, datetime.now and SQL now() in services/ and shared/):
- tokens: `nbf`/`exp` against the verifier's clock with `AUTH_LEEWAY_SECONDS` (30 s) of tolerance
  (innkeeper_kit.auth.verifier); the harness mints the tokens with its own clock, so the command replica
  20 s behind sees each token 20 s before its `nbf`: inside the leeway, as a real drift should be;
- projector: heartbeats (`projector_processes.heartbeat_at`, live = beat in the last 3 s by the reader's
  clock) and shard activity (`applied_at`, 3 s) decide shard balancing and whom a rebuild waits for; the
  rebuild's `lease_until` is compared with each live projector's clock (balance.py, rebuild_pause.py).
  Two projectors 20 s apart disagree on who is live (the one ahead takes the other for dead, the other
  takes it for live 20 s after it died): balancing, not delivery, which single-active-consumer keeps to
  one consumer per shard whatever they think;
- `occurred_at` and domain decisions (check-in not in the past, the refund policy's notice) take the
  command service's clock: with the replica behind, one hotel's events are no longer in `occurred_at`
  order; the projector's `lag_seconds` compares it with its own;
- notifier webhooks sign `int(time.time())` for the receivers' tolerance window (not skewed here).
On PostgreSQL's single clock, hence immune to a service's skew: relay `not_before`, the idempotency window,
notifier `next_attempt_at` and leases. 20 s is well beyond NTP drift yet inside the 30 s token leeway:
past it the skewed command replica would rightly refuse fresh tokens, which is a finding about clocks,
not about the guarantees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.faults import Failpoint, Fault, KillReplica, KillService, StoreKill, TermService
from conformance.faults_clock import ClockSkew, Skew, skewed_env
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


CLOCK_SKEWS = (Skew("projector", 1, +20), Skew("command-service", 1, -20))
"""The second projector ahead, the second command replica behind: both inside the 30 s token leeway."""


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
        Scenario("clock-skew", ClockSkew(CLOCK_SKEWS), env=skewed_env(CLOCK_SKEWS), replicas=2),
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
