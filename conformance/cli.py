"""The command line of `make conformance`: which scenarios, against what, under which load; one table row
per scenario as it finishes, a summary, docs/conformance.md for the whole suite; exit 0 iff every
invariant held in every scenario (1 otherwise, 2 for a bad argument)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from dataclasses import fields
from datetime import UTC, datetime

from conformance.load import LoadPlan
from conformance.report import ROOT, ScenarioResult, commit, header, row, summary, write_docs
from conformance.runner import run_scenario
from conformance.scenarios import Scenario, select


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="conformance/run.py", description=(__doc__ or "").split("\n")[0])
    option, env, plan = parser.add_argument, os.environ.get, LoadPlan()
    option("--scenario", default=env("SCENARIO") or "all", help='"all" (default), "ci", a name, or "a,b"')
    option("--target", default=env("TARGET") or "local", choices=("local", "compose"))
    option("--rate", type=float, default=plan.rate, help=f"commands per second (default {plan.rate:g})")
    option(
        "--seconds", type=float, default=plan.seconds, help=f"load per scenario (default {plan.seconds:g})"
    )
    option("--clients", type=int, default=plan.clients, help=f"half HTTP, half AMQP (default {plan.clients})")
    option("--write-docs", action="store_true", help="write docs/conformance.md even for a part of the suite")
    option(
        "--keep", action="store_true", help="keep each run's database and vhost (the run dir always stays)"
    )
    return parser.parse_args(argv)


async def run_all(scenarios: list[Scenario], plan: LoadPlan, target: str, keep: bool) -> list[ScenarioResult]:
    results = []
    print(header(), flush=True)
    for scenario in scenarios:
        result = await run_scenario(scenario, plan, target, keep)
        results.append(result)
        print(row(result), flush=True)
        for verdict in result.failed():
            print(f"    FAIL {verdict.name}: {verdict.detail}", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        scenarios = select(args.scenario)
    except ValueError as error:
        print(f"conformance: {error}", file=sys.stderr)
        return 2
    names = {field.name for field in fields(LoadPlan)}
    plan = LoadPlan(**{k: v for k, v in vars(args).items() if k in names})
    # The load's reconnect warnings during a fault are expected: they go to a file, the table to stdout.
    log_file = ROOT / ".run" / "conformance" / f"harness-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=log_file, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    print(
        f"harness log: {log_file}; each scenario's run dir: {log_file.parent}/<scenario>-<time>/", flush=True
    )
    print(f"{len(scenarios)} scenario(s) on {args.target}; each: {plan}", flush=True)
    revision = commit()
    results = asyncio.run(run_all(scenarios, plan, args.target, args.keep))
    print(summary(results), flush=True)
    if args.write_docs or args.scenario == "all":
        print(f"wrote {write_docs(results, plan, args.target, revision=revision)}", flush=True)
    return 0 if all(result.ok for result in results) else 1
