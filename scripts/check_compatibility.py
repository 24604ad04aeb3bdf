#!/usr/bin/env python3
"""Fail on a change that breaks a contract since its last release (the policy: docs/evolution.md).

Compares the JSON Schema of every contract (`innkeeper_contracts.schemas.all_schemas`) with the one
last released, committed under docs/schemas/released/: `<Name>.json`, or `<Name>.v<n>.json` for an
event at schema version n (every released version of an event is kept; the highest is compared).
Prints each change and what it breaks; exits 1 when any contract breaks, naming it and why.

    python scripts/check_compatibility.py            # the check (CI: make contracts-check, make test)
    python scripts/check_compatibility.py --release  # record the current schemas as released
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from innkeeper_contracts.compatibility import Released, Verdict, judge, roles, schema_version
from innkeeper_contracts.schema_diff import Schema
from innkeeper_contracts.schemas import all_schemas

RELEASED = Path(__file__).resolve().parents[1] / "docs" / "schemas" / "released"
_FILE = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_]*)(?:\.v(?P<version>[1-9][0-9]*))?\.json")


def load_released(folder: Path) -> dict[str, Released]:
    """Contract name → its last released schema (an event's highest released version)."""
    released: dict[str, Released] = {}
    for path in sorted(folder.glob("*.json")):
        match = _FILE.fullmatch(path.name)
        if match is None:
            raise SystemExit(f"{path}: not <Name>.json or <Name>.v<n>.json")
        version = int(match["version"]) if match["version"] else None
        known = released.get(match["name"])
        if known is None or (known.version or 0) < (version or 0):
            released[match["name"]] = Released(json.loads(path.read_text()), version)
    return released


def check(folder: Path = RELEASED) -> list[Verdict]:
    """The verdict on every contract, released or current."""
    current, released, role_of = all_schemas(), load_released(folder), roles()
    names = sorted(current.keys() | released.keys())
    return [judge(name, role_of.get(name, "value"), released.get(name), current.get(name)) for name in names]


def release(folder: Path = RELEASED) -> list[Path]:
    """Write every current schema as released (an event's under its schema version, beside the
    versions before it); drop the released file of a contract that is gone. Returns what was written."""
    folder.mkdir(parents=True, exist_ok=True)
    current, written = all_schemas(), []
    for name, schema in current.items():
        version = schema_version(name)
        path = folder / (f"{name}.json" if version is None else f"{name}.v{version}.json")
        if not path.exists() or path.read_text() != _render(schema):
            path.write_text(_render(schema))
            written.append(path)
    for path in folder.glob("*.json"):
        match = _FILE.fullmatch(path.name)
        if match is not None and match["name"] not in current:
            path.unlink()
    return written


def report(verdicts: list[Verdict]) -> str:
    lines = []
    for verdict in verdicts:
        if not verdict.changes and not verdict.breaking:
            continue
        status = "BREAKING" if verdict.breaking else "ok"
        lines.append(
            f"{status:8} {verdict.name} ({verdict.role}){': ' + verdict.note if verdict.note else ''}"
        )
        lines += [f"           {change}" for change in verdict.changes]
        lines += [f"  breaks:  {change}" for change in verdict.breaking if change not in verdict.changes]
    return "\n".join(lines)


def _render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="record the current schemas as released")
    parser.add_argument("--released", type=Path, default=RELEASED, help="the released schemas' folder")
    args = parser.parse_args(argv)
    if args.release:
        for path in release(args.released):
            print(f"released {path.name}")
        return 0
    verdicts = check(args.released)
    print(report(verdicts) or "no contract changed since its release")
    broken = [verdict.name for verdict in verdicts if verdict.breaking]
    if broken:
        print(
            f"\n{len(broken)} contract(s) changed incompatibly since their release: {', '.join(broken)}."
            "\nAn event: bump its schema_version and register an upcaster (innkeeper_contracts.upcasting)."
            "\nA command, reply or document: make the change additive, or, when breaking it is the plan,"
            "\nrelease it deliberately (--release) and announce it. See docs/evolution.md.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
