"""The scenario registry: every fault the issue names is there once, the suites hold known names, and
`select` takes all, a suite, a list, and refuses what it does not know."""

import json
import re

import pytest

from conformance.faults import Failpoint, KillReplica, KillService, StoreKill, TermService
from conformance.faults_clock import ClockSkew
from conformance.faults_events import Poison, Redeliver
from conformance.faults_infra import Latency, Partition, RabbitRestart, RabbitStopped
from conformance.scenarios import FAILPOINT_STATE, SCENARIOS, SUITES, select
from conformance.system import SERVICES

EXPECTED = {
    "baseline",
    *(f"kill-{service}" for service in SERVICES),
    *(f"term-{service}" for service in SERVICES),
    "rabbitmq-restart",
    "rabbitmq-stopped-20s",
    "postgres-restart",
    "store-kill-1",
    "store-kill-2",
    "store-kill-3",
    "partition-postgres",
    "partition-rabbitmq",
    "partition-store",
    "latency-postgres",
    "latency-rabbitmq",
    "redeliver-shuffled",
    "poison-event",
    "replicas-kill",
    "clock-skew",
    "failpoint-relay",
    "failpoint-projector",
    "failpoint-command",
    "failpoint-notifier",
}
FAILPOINTS = {
    "relay": "relay.after_publish_before_mark",
    "projector": "projector.after_write_before_ack",
    "command": "command.after_append_before_answer",
    "notifier": "notifier.after_send_before_record",
}


def test_every_scenario_of_the_issue_is_there_once_with_a_kebab_case_name() -> None:
    assert set(SCENARIOS) == EXPECTED
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in SCENARIOS)
    assert all(scenario.name == name for name, scenario in SCENARIOS.items())
    assert SUITES["all"] == list(SCENARIOS)
    assert SCENARIOS["baseline"].fault is None
    assert SCENARIOS["baseline"].description == "none"


def test_each_fault_is_the_one_its_name_says() -> None:
    for service in SERVICES:
        kill, term = SCENARIOS[f"kill-{service}"].fault, SCENARIOS[f"term-{service}"].fault
        assert isinstance(kill, KillService)
        assert not isinstance(kill, TermService)
        assert isinstance(term, TermService)
        assert (kill.service, term.service) == (service, service)
        assert kill.description == f"kill -9 {service}"
        assert term.description == f"SIGTERM {service}"
    assert isinstance(SCENARIOS["rabbitmq-restart"].fault, RabbitRestart)
    stopped = SCENARIOS["rabbitmq-stopped-20s"]
    assert isinstance(stopped.fault, RabbitStopped)
    assert stopped.hold == 20
    seeds = set()
    for run in (1, 2, 3):
        scenario = SCENARIOS[f"store-kill-{run}"]
        assert isinstance(scenario.fault, StoreKill)
        seeds.add(scenario.seed)
    assert len(seeds) == 3
    for name, dependency in (("postgres", "postgres"), ("rabbitmq", "rabbitmq"), ("store", "mongodb")):
        partition = SCENARIOS[f"partition-{name}"]
        assert partition.fault == Partition(dependency)
        assert partition.hold == 8
    for dependency in ("postgres", "rabbitmq"):
        latency = SCENARIOS[f"latency-{dependency}"]
        assert isinstance(latency.fault, Latency)
        assert (latency.fault.dependency, latency.fault.seconds, latency.hold) == (dependency, 0.05, 10)
    assert isinstance(SCENARIOS["redeliver-shuffled"].fault, Redeliver)
    poison = SCENARIOS["poison-event"]
    assert isinstance(poison.fault, Poison)
    assert poison.expect_parked == 1
    assert sum(scenario.expect_parked for scenario in SCENARIOS.values()) == 1  # no other parks
    replicas = SCENARIOS["replicas-kill"]
    assert isinstance(replicas.fault, KillReplica)
    assert replicas.replicas == 2
    assert [s.name for s in SCENARIOS.values() if s.replicas != 1] == ["replicas-kill", "clock-skew"]


def test_failpoint_scenarios_arm_their_point_once_per_run_in_the_run_dir() -> None:
    for short, point in FAILPOINTS.items():
        scenario = SCENARIOS[f"failpoint-{short}"]
        assert isinstance(scenario.fault, Failpoint)
        assert scenario.expect_failpoint == point
        armed = re.fullmatch(rf"{re.escape(point)}=crash@(\d+)", scenario.env["INNKEEPER_FAILPOINTS"])
        assert armed is not None
        assert int(armed.group(1)) == scenario.fault.nth > 1  # a few seconds in, not the first reach
        assert scenario.inject_at == 0  # the fault waits for the crash
        assert scenario.env["INNKEEPER_FAILPOINTS_STATE"] == FAILPOINT_STATE == "{run_dir}/failpoints"
        assert FAILPOINT_STATE.format(run_dir="/tmp/run") == "/tmp/run/failpoints"
    with_env = [s.name for s in SCENARIOS.values() if s.env or s.expect_failpoint]
    assert with_env == ["clock-skew", *(f"failpoint-{short}" for short in FAILPOINTS)]


def test_clock_skew_runs_one_projector_ahead_and_one_command_replica_behind_inside_the_token_leeway() -> None:
    scenario = SCENARIOS["clock-skew"]
    assert isinstance(scenario.fault, ClockSkew)
    assert scenario.replicas == 2
    assert "clock-skew" in SUITES["all"]
    assert "clock-skew" not in SUITES["ci"]
    assert set(scenario.env) == {"SERVICE_ENV"}  # run_local's, per process: no other process is skewed
    per_process = json.loads(scenario.env["SERVICE_ENV"])
    assert {name: env["FAKETIME"] for name, env in per_process.items()} == {
        "projector-2": "+20s",
        "command-service-2": "-20s",
    }
    for env in per_process.values():
        assert env["LD_PRELOAD"].endswith("/faketime/libfaketime.so.1")
        assert env["FAKETIME_DONT_FAKE_MONOTONIC"] == "1"  # asyncio's clock stays real
    assert all(abs(skew.seconds) < 30 for skew in scenario.fault.skews)  # AUTH_LEEWAY_SECONDS
    assert scenario.description == "clock skew: projector-2 20 s ahead, command-service-2 20 s behind"


def test_the_ci_suite_is_four_known_scenarios_with_a_failpoint_and_the_broker_restart() -> None:
    ci = SUITES["ci"]
    assert len(ci) == 4
    assert set(ci) <= set(SCENARIOS)
    assert "rabbitmq-restart" in ci
    assert any(SCENARIOS[name].expect_failpoint for name in ci)


def test_select_takes_all_a_suite_or_a_list() -> None:
    assert select(None) == list(SCENARIOS.values())
    assert select("all") == list(SCENARIOS.values())
    assert [s.name for s in select("ci")] == SUITES["ci"]
    assert [s.name for s in select("poison-event")] == ["poison-event"]
    chosen = select(" term-projector, baseline ,term-projector,")
    assert [s.name for s in chosen] == ["term-projector", "baseline"]  # in order, each once
    assert [s.name for s in select("baseline,ci")] == ["baseline", *SUITES["ci"]]


@pytest.mark.parametrize("spec", ["nope", "baseline,nope", ",", "Baseline"])
def test_select_refuses_unknown_names_and_lists_the_known_ones(spec: str) -> None:
    with pytest.raises(ValueError, match="known: all, ci, baseline, kill-command-service") as refused:
        select(spec)
    assert "failpoint-notifier" in str(refused.value)
