"""The runner's order of things with a fake system, load and checker: the fault is always healed, readiness
is measured after the heal, a harness error becomes a failed verdict, and the system is always stopped."""

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance import invariants, runner
from conformance.journal import Journal
from conformance.load import LoadPlan
from conformance.scenarios import Scenario
from conformance.system import NotAvailableError

PLAN = LoadPlan(rate=1, seconds=0.2, answer_grace=0.1)


@dataclass
class FakeEndpoints:
    run_dir: Path


@dataclass
class FakeSystem:
    run_dir: Path
    calls: list[str] = field(default_factory=list)
    fail_start: bool = False

    @property
    def endpoints(self) -> FakeEndpoints:
        return FakeEndpoints(self.run_dir)

    async def start(self) -> None:
        self.calls.append("start")
        if self.fail_start:
            raise RuntimeError("no database today")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def ready_seconds(self, timeout: float) -> float:  # noqa: ASYNC109  (the protocol's name)
        self.calls.append("ready")
        return 1.5


@dataclass
class FakeFault:
    system: FakeSystem
    error: Exception | None = None
    description: str = "a fake fault"

    async def inject(self, system: Any) -> None:
        self.system.calls.append("inject")
        if self.error is not None:
            raise self.error

    async def heal(self, system: Any) -> None:
        self.system.calls.append("heal")


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSystem:
    fake = FakeSystem(tmp_path)

    async def seed(endpoints: Any, plan: LoadPlan) -> str:
        return "data"

    async def drive(
        endpoints: Any, plan: LoadPlan, data: Any, journal: Journal, stop: Any, stats: Any
    ) -> None:
        await asyncio.sleep(plan.seconds)

    async def quiesce(endpoints: Any) -> float:
        return 0.0

    async def check(
        endpoints: Any, journal: Journal, scenario: Scenario, ready: float | None, bound: float
    ) -> Any:
        return [invariants.Verdict("ready-again", ready is not None and ready <= bound, f"{ready}")]

    monkeypatch.setattr(runner, "make_system", lambda *args: fake)
    monkeypatch.setattr(runner, "LOAD_AFTER_HEAL", 0.2)
    for name, value in {"seed": seed, "drive": drive, "quiesce": quiesce, "check": check}.items():
        monkeypatch.setattr(runner, name, value)
    return fake


async def test_the_fault_is_injected_healed_and_readiness_measured_after_the_heal(system: FakeSystem) -> None:
    scenario = Scenario("fake", FakeFault(system), inject_at=0.05, hold=0.05)
    result = await runner.run_scenario(scenario, PLAN)
    assert system.calls == ["start", "inject", "heal", "ready", "stop"]
    assert result.ok
    assert result.ready_seconds == 1.5
    assert (system.run_dir / "journal.jsonl").exists()
    assert any("lengthened" in note for note in result.notes)


async def test_a_failed_injection_is_still_healed_and_becomes_a_harness_verdict(system: FakeSystem) -> None:
    scenario = Scenario("fake", FakeFault(system, RuntimeError("boom")), inject_at=0.0)
    result = await runner.run_scenario(scenario, PLAN)
    assert system.calls == ["start", "inject", "heal", "stop"]
    assert not result.ok
    assert [(v.name, v.detail) for v in result.verdicts] == [("harness", "RuntimeError: boom")]


async def test_a_failed_start_is_a_harness_verdict_and_the_system_is_stopped(system: FakeSystem) -> None:
    system.fail_start = True
    result = await runner.run_scenario(Scenario("baseline", None), PLAN)
    assert system.calls == ["start", "stop"]
    assert [v.name for v in result.failed()] == ["harness"]


async def test_a_fault_the_target_cannot_do_is_reported_not_available(system: FakeSystem) -> None:
    fault = FakeFault(system, NotAvailableError("no proxies on compose"))
    result = await runner.run_scenario(Scenario("partition", fault, inject_at=0.0), PLAN, target="compose")
    assert not result.available
    assert not result.ok  # not run is not held: the run's exit code says so
    assert "not available on compose: no proxies on compose" in result.notes
