"""Which changes since the last released schemas break a contract: the rule of docs/evolution.md,
applied by scripts/check_compatibility.py in CI.

Who reads a contract decides what breaks it:
- a command is read by the service from senders built against an older schema: accepting less breaks.
- a reply or a document is read by clients built against an older schema (and told to ignore fields
  they do not know): accepting more values, or less, breaks; a new optional field does not.
- an event is read by consumers built against an older schema and, from the log, by new code: any
  change but a new optional field breaks it, unless its schema version is bumped and upcasters lift
  every released version to the new one. Value objects (Money, Guest) and the envelope are held to
  the events' rule: they travel inside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from .events import EVENT_TYPES
from .schema_diff import Difference, Kind, Schema, differences
from .upcasting import chain_gaps

Role = Literal["command", "reply", "document", "event", "value"]

_EVERY_CHANGE: frozenset[Kind] = frozenset({"extended", "widened", "narrowed", "removed", "changed"})
BREAKING: dict[Role, frozenset[Kind]] = {
    "command": frozenset({"narrowed", "removed", "changed"}),
    "reply": _EVERY_CHANGE - {"extended"},
    "document": _EVERY_CHANGE - {"extended"},
    "event": _EVERY_CHANGE,
    "value": _EVERY_CHANGE,
}
_ROLE_OF_MODULE: dict[str, Role] = {
    "innkeeper_contracts.commands": "command",
    "innkeeper_contracts.command_bodies": "command",
    "innkeeper_contracts.replies": "reply",
    "innkeeper_contracts.problems": "reply",
    "innkeeper_contracts.documents.models": "document",
    "innkeeper_contracts.documents.answers": "document",
    "innkeeper_contracts.envelope": "event",
}


@dataclass(frozen=True)
class Released:
    """A contract's schema as last released, with the event schema version it had (None: not an event)."""

    schema: Schema
    version: int | None = None


@dataclass(frozen=True)
class Verdict:
    """One contract's changes since its release, and those that break it (none: it passes)."""

    name: str
    role: Role
    changes: list[Difference] = field(default_factory=list)
    breaking: list[Difference] = field(default_factory=list)
    note: str = ""


def judge(name: str, role: Role, released: Released | None, current: Schema | None) -> Verdict:
    """The verdict on one contract: `released` None for a new one, `current` None for a removed one."""
    if released is None:
        return Verdict(name, role, [Difference("", "additive", "new contract")])
    if current is None:
        gone = [Difference("", "removed", "contract removed")]
        return Verdict(name, role, gone, gone)
    changes = differences(released.schema, current)
    breaking = [change for change in changes if change.kind in BREAKING[role]]
    version = schema_version(name)
    if released.version is None or version is None or version == released.version:
        return Verdict(name, role, changes, breaking)
    if version < released.version:
        note = f"schema version {version} is older than the released {released.version}"
        return Verdict(name, role, changes, [Difference("", "changed", note)])
    if gaps := chain_gaps(name, released.version, version):
        missing = ", ".join(f"{v} → {v + 1}" for v in gaps)
        note = f"schema version {released.version} → {version} without an upcaster {missing}"
        return Verdict(name, role, changes, [*breaking, Difference("", "changed", note)])
    note = f"schema version {released.version} → {version}, upcast by innkeeper_contracts.upcasting"
    return Verdict(name, role, changes, [], note)


def schema_version(name: str) -> int | None:
    """The schema version of an event's data; None for any other contract."""
    event = EVENT_TYPES.get(name)
    return None if event is None else event.schema_version


def roles() -> dict[str, Role]:
    """Contract name → role, for every model of the contracts (by the module that defines it)."""
    found: dict[str, Role] = {}
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for model in pending.pop().__subclasses__():
            module = model.__module__
            if module.startswith("innkeeper_contracts.") and model.__name__ not in found:
                found[model.__name__] = _role(module)
            pending.append(model)
    return found


def _role(module: str) -> Role:
    if module.startswith("innkeeper_contracts.events."):
        return "event"
    return _ROLE_OF_MODULE.get(module, "value")
