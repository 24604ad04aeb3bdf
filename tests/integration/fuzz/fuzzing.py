"""Run schemathesis, through its Python engine, against a running service's own OpenAPI document.

The settings are `schemathesis.toml` beside this file (every allowance explained there); the run adds
the service's address, the caller's headers and the time bound. What comes back is every failed check
and every error, as text a developer can act on (with a curl command that reproduces the request).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

SETTINGS = Path(__file__).with_name("schemathesis.toml")
FUZZ_SECONDS = 60
"""The time bound of one service's run (issue 14: about a minute per service)."""


@dataclass
class FuzzReport:
    """What one run did and found."""

    seed: int
    requests: int = 0
    operations: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> str:
        found = [*self.failures, *self.errors]
        return f"seed {self.seed}: {len(found)} problem(s)\n\n" + "\n\n".join(found)


def fuzz(base_url: str, headers: dict[str, str], seconds: int = FUZZ_SECONDS) -> FuzzReport:
    """Fuzz the service at `base_url` for at most `seconds`, sending `headers` with every request."""
    settings = tomllib.loads(SETTINGS.read_text(encoding="utf-8"))
    settings |= {"base-url": base_url, "headers": headers, "max-time": seconds}
    config = SchemathesisConfig.from_dict(settings)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json", config=config)
    report = FuzzReport(seed=config.seed)
    seen: set[tuple[str, str, str]] = set()  # one line per distinct failure, not per example that shows it
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            label = event.recorder.label
            report.operations.add(label)
            report.requests += len(event.recorder.interactions)
            for checks in event.recorder.checks.values():
                for check in checks:
                    info = check.failure_info
                    if info is None or (key := (label, check.name, info.failure.message)) in seen:
                        continue
                    seen.add(key)
                    report.failures.append(
                        f"[{label}] {check.name}: {info.failure.title}\n"
                        f"{info.failure.message}\n{info.code_sample}"
                    )
        elif isinstance(event, events.NonFatalError):
            report.errors.append(f"[{event.label}] error: {event.info.title}\n{event.info.message}")
        elif isinstance(event, events.FatalError):
            report.errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.failures += [f"after the run: {fail.title}\n{fail.message}" for fail in event.failures]
    return report
