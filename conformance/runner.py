"""One scenario, start to finish: a fresh system, the seed, the open-loop load with the fault injected and
healed in the middle of it, readiness measured from the heal, quiescence, the invariants, and the system
stopped again. Whatever goes wrong in the harness becomes a failed "harness" verdict of that scenario, so
one broken scenario never stops the suite."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import replace

from conformance.invariants import Verdict, check, quiesce
from conformance.journal import Journal
from conformance.load import LoadPlan, LoadStats, drive
from conformance.report import ScenarioResult
from conformance.scenarios import Scenario
from conformance.seed import seed
from conformance.system import NotAvailableError, System, make_system

log = logging.getLogger(__name__)
READY_TIMEOUT = 60.0  # past this a service "never" came back: the ready-again verdict fails
READY_BOUND = 10.0  # the bound the ready-again invariant holds the measure to
LOAD_AFTER_HEAL = 4.0  # seconds of load that still run after the heal, whatever the plan says
STOP_LOAD_GRACE = 120.0  # past the plan and its answer grace, the load task is cancelled


def harness(error: BaseException) -> Verdict:
    return Verdict("harness", False, f"{type(error).__name__}: {error}".replace("\n", " ")[:300])


def plan_for(scenario: Scenario, plan: LoadPlan) -> tuple[LoadPlan, list[str]]:
    """The plan, lengthened when the fault would outlast the load."""
    if scenario.fault is None or scenario.inject_at + scenario.hold + LOAD_AFTER_HEAL <= plan.seconds:
        return plan, []
    seconds = scenario.inject_at + scenario.hold + LOAD_AFTER_HEAL
    return replace(plan, seconds=seconds), [f"load lengthened to {seconds:g} s to outlast the fault"]


async def inject_and_heal(system: System, scenario: Scenario, load: asyncio.Task[None]) -> float | None:
    """The fault at `inject_at`, healed `hold` later (always, once injected); seconds until ready again."""
    assert scenario.fault is not None
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.shield(load), scenario.inject_at)
    try:
        await scenario.fault.inject(system)
        await asyncio.sleep(scenario.hold)
    finally:
        await scenario.fault.heal(system)
    return await system.ready_seconds(READY_TIMEOUT)


async def exercise(
    system: System, scenario: Scenario, plan: LoadPlan, journal: Journal, result: ScenarioResult
) -> None:
    await system.start()
    data = await seed(system.endpoints, plan)
    stop, stats = asyncio.Event(), LoadStats()
    load = asyncio.create_task(drive(system.endpoints, plan, data, journal, stop, stats))
    try:
        if scenario.fault is not None:
            try:
                result.ready_seconds = await inject_and_heal(system, scenario, load)
            except TimeoutError as error:
                result.notes.append(f"not ready again: {error}")
        await asyncio.wait_for(asyncio.shield(load), plan.seconds + plan.answer_grace + STOP_LOAD_GRACE)
    finally:
        stop.set()
        if not load.done():
            load.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await load
    result.notes.append(f"load {stats.sent:,} sent at {stats.rate:.1f}/s, {stats.skipped:,} skipped")
    quiet = await quiesce(system.endpoints)
    result.notes.append(f"quiet {quiet:.1f} s after the load")
    ready = result.ready_seconds if scenario.fault is not None else None
    if scenario.fault is not None and ready is None:
        ready = READY_TIMEOUT + 1  # never came back within the timeout: the bound fails, with the number
    result.verdicts = await check(system.endpoints, journal, scenario, ready, READY_BOUND)


async def run_scenario(
    scenario: Scenario, plan: LoadPlan, target: str = "local", keep: bool = False
) -> ScenarioResult:
    """Run one scenario on a fresh system; never raises (a harness error is a failed verdict)."""
    started = time.monotonic()
    fault = scenario.fault.description if scenario.fault is not None else "none"
    result = ScenarioResult(scenario.name, fault)
    journal, system = Journal(), None
    plan, result.notes = plan_for(scenario, plan)
    try:
        system = make_system(target, scenario.name, scenario.env, scenario.replicas, keep)
        await exercise(system, scenario, plan, journal, result)
    except NotAvailableError as error:
        result.available = False
        result.notes.append(f"not available on {target}: {error}")
    except Exception as error:
        log.exception("scenario %s: harness error", scenario.name)
        result.verdicts = [*result.verdicts, harness(error)]
    finally:
        result.counts = journal.counts()
        if system is not None:
            try:
                journal.dump(system.endpoints.run_dir / "journal.jsonl")
            except (AttributeError, OSError) as error:  # no endpoints: the start failed early
                result.notes.append(f"journal not written: {error}")
            try:
                await system.stop()
            except Exception as error:
                log.exception("scenario %s: stop failed", scenario.name)
                result.verdicts = [*result.verdicts, harness(error)]
        result.seconds = time.monotonic() - started
    return result
