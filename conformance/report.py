"""What a conformance run tells: one row per scenario as it finishes, a summary, and docs/conformance.md
(commit, host, date, load plan, the table, and each scenario's verdicts) from a real run."""

from __future__ import annotations

import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "conformance.md"
COLUMNS = ("scenario", "fault", "sent", "accepted", "rejected", "unanswered", "invariants", "ready again")
WIDTHS = (26, 36, 7, 9, 9, 11, 22, 12)


class VerdictLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def ok(self) -> bool: ...
    @property
    def detail(self) -> str: ...


@dataclass
class ScenarioResult:
    name: str
    fault: str  # the fault's description, "none" for the baseline
    counts: dict[str, int] = field(default_factory=dict)  # the journal's counts
    verdicts: Sequence[VerdictLike] = ()
    ready_seconds: float | None = None  # from the heal until every replica answered /readyz
    notes: list[str] = field(default_factory=list)
    available: bool = True  # False: the target cannot inject this fault (e.g. a partition on compose)
    seconds: float = 0.0  # the scenario's wall time, start to stop

    @property
    def ok(self) -> bool:
        # Not run is not held: a green run means every scenario asked for ran and held (a target that
        # cannot inject a fault is named in the summary; choose SCENARIO= to leave it out).
        return self.available and bool(self.verdicts) and all(verdict.ok for verdict in self.verdicts)

    def failed(self) -> list[VerdictLike]:
        return [verdict for verdict in self.verdicts if not verdict.ok]


def number(value: int) -> str:
    return f"{value:,}"


def invariants_cell(result: ScenarioResult) -> str:
    if not result.available:
        return "not available"
    if failed := result.failed():
        return "FAIL " + ", ".join(verdict.name for verdict in failed)
    return f"{len(result.verdicts)}/{len(result.verdicts)} ok"


def ready_cell(result: ScenarioResult) -> str:
    return "—" if result.ready_seconds is None else f"{result.ready_seconds:.2f} s"


def cells(result: ScenarioResult) -> list[str]:
    counts = result.counts
    kinds = ("sent", "accepted", "rejected", "unanswered")
    numbers = [number(counts.get(kind, 0)) for kind in kinds]
    return [result.name, result.fault, *numbers, invariants_cell(result), ready_cell(result)]


def header() -> str:
    return "  ".join(f"{title:<{width}}" for title, width in zip(COLUMNS, WIDTHS, strict=True)).rstrip()


def row(result: ScenarioResult) -> str:
    """The console line for one finished scenario (numbers right-aligned)."""
    parts = []
    for index, (cell, width) in enumerate(zip(cells(result), WIDTHS, strict=True)):
        text = cell if len(cell) <= width or index == len(WIDTHS) - 1 else cell[: width - 1] + "…"
        parts.append(f"{text:>{width}}" if 2 <= index <= 5 else f"{text:<{width}}")
    return "  ".join(parts).rstrip()


def summary(results: Sequence[ScenarioResult]) -> str:
    missing = [result.name for result in results if not result.available]
    failed = [result.name for result in results if result.available and not result.ok]
    held = len(results) - len(failed) - len(missing)
    line = f"{held}/{len(results)} scenarios hold every invariant"
    if missing:
        line += f"; NOT RUN (not available on this target): {', '.join(missing)}"
    return line + (f"; FAILED: {', '.join(failed)}" if failed else "")


def markdown_table(results: Sequence[ScenarioResult]) -> list[str]:
    lines = ["| " + " | ".join([*COLUMNS, "notes"]) + " |", "|---|---|--:|--:|--:|--:|---|--:|---|"]
    for result in results:
        notes = "; ".join(result.notes).replace("|", "\\|")
        lines.append("| " + " | ".join([*(cell.replace("|", "\\|") for cell in cells(result)), notes]) + " |")
    return lines


def verdict_lines(result: ScenarioResult) -> list[str]:
    lines = [f"### {result.name}", "", f"Fault: {result.fault}; {result.seconds:.0f} s in all.", ""]
    if not result.available:
        return [*lines, "Not available on this target.", ""]
    lines += [f"- {'ok' if v.ok else '**FAIL**'} `{v.name}`: {v.detail}" for v in result.verdicts]
    return [*lines, *(f"- note: {note}" for note in result.notes), ""]


def commit() -> str:
    def git(*arguments: str) -> str:
        found = subprocess.run(["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
        return found.stdout.strip()

    head = git("rev-parse", "--short=12", "HEAD") or "unknown"
    return head + (
        " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    )


def host(cpuinfo: str | None = None) -> str:
    """CPU model and core count from /proc/cpuinfo (`cpuinfo` for tests), with the OS."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            cpuinfo = ""
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    model = models[0] if models else platform.processor() or "unknown CPU"
    return f"{model}, {len(models) or '?'} cores, {platform.system()} {platform.release()}"


def plan_line(plan: Any) -> str:
    """The load plan (conformance.load.LoadPlan) in one sentence."""
    http = (plan.clients + 1) // 2
    return (
        f"{plan.rate:g} commands/s for {plan.seconds:g} s from {plan.clients} clients ({http} HTTP, "
        f"{plan.clients - http} AMQP), {plan.hotels} hotels whose scarce room type has {plan.scarce_rooms} "
        f"rooms, seed {plan.seed}; unanswered commands retried with the same key for {plan.answer_grace:g} s"
    )


def document(
    results: Sequence[ScenarioResult],
    plan: Any,
    target: str,
    when: datetime | None = None,
    revision: str | None = None,
) -> str:
    """`revision`: the commit the run started from (taken then: a commit made during the run is not it)."""
    when = when or datetime.now(UTC)
    lines = [
        "# Fault conformance",
        "",
        "Written by `make conformance` (conformance/run.py) from a real run; do not edit by hand.",
        "How to run it and read it: docs/operations.md.",
        "",
        f"- commit: {revision or commit()}",
        f"- host: {host()}",
        f"- date: {when.strftime('%Y-%m-%d %H:%M UTC')}",
        f"- target: {target}",
        f"- load per scenario: {plan_line(plan)}",
        f"- result: {summary(results)}",
        "",
        *markdown_table(results),
        "",
        "## Verdicts per scenario",
        "",
    ]
    for result in results:
        lines += verdict_lines(result)
    return "\n".join(lines).rstrip() + "\n"


def write_docs(
    results: Sequence[ScenarioResult], plan: Any, target: str, path: Path = DOCS, revision: str | None = None
) -> Path:
    path.write_text(document(results, plan, target, revision=revision))
    return path
