"""The compatibility check: how a schema change is classified, which contracts it breaks, and that
every contract is compatible with its last release (so `make test` runs the CI check too)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from innkeeper_contracts import upcasting
from innkeeper_contracts.compatibility import Released, Role, judge, roles
from innkeeper_contracts.schema_diff import Kind, differences
from innkeeper_contracts.schemas import all_schemas

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "check_compatibility.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_compatibility", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shape(closed: bool = True, required: tuple[str, ...] = ("name",), **fields: Any) -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 100}} | fields,
        "required": list(required),
    }
    return schema | ({"additionalProperties": False} if closed else {})


def kinds(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Kind]]:
    return [(change.path, change.kind) for change in differences(old, new)]


NOTE = {"type": "string"}
KIND = {"enum": ["late", "high_value"], "type": "string"}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (shape(note=NOTE), shape(), [("note", "removed")]),
        (shape(), shape(required=("name", "note"), note=NOTE), [("note", "narrowed")]),
        (shape(closed=False), shape(closed=False, note=NOTE), [("note", "additive")]),
        (shape(), shape(note=NOTE), [("note", "extended")]),
        (shape(n={"type": "number"}), shape(n={"type": "integer"}), [("n", "narrowed")]),
        (shape(n={"type": "integer"}), shape(n={"type": "number"}), [("n", "widened")]),
        (shape(n={"type": "integer"}), shape(n={"type": "string"}), [("n", "changed")]),
        (shape(kind=KIND), shape(kind=KIND | {"enum": ["late"]}), [("kind", "narrowed")]),
        (shape(kind=KIND), shape(kind=KIND | {"enum": ["late", "high_value", "vip"]}), [("kind", "widened")]),
        (shape(), shape(name={"type": "string", "maxLength": 50}), [("name", "narrowed")]),
        (shape(), shape(name={"type": "string", "maxLength": 200}), [("name", "widened")]),
        (shape(), shape(name={"type": "string"}), [("name", "widened")]),
        (
            shape(),
            shape(name={"type": "string", "maxLength": 100, "pattern": "^[a-z]+$"}),
            [("name", "narrowed")],
        ),
        (shape(), shape(required=()), [("name", "widened")]),
        (shape(), shape(closed=False), [("", "additive")]),
        (shape(), shape(name={"type": "string", "maxLength": 100, "description": "A name."}), []),
    ],
    ids=[
        "removed field",
        "new required field",
        "new optional field, tolerant readers",
        "new optional field, closed shape",
        "narrowed type",
        "widened type",
        "changed type",
        "enum narrowed",
        "enum widened",
        "bound tightened",
        "bound loosened",
        "bound dropped",
        "pattern added",
        "field made optional",
        "unknown fields ignored",
        "prose only",
    ],
)
def test_each_change_is_classified(old: dict[str, Any], new: dict[str, Any], expected: list[Any]) -> None:
    assert kinds(old, new) == expected


def test_unions_and_nested_shapes_are_followed_through_their_definitions() -> None:
    money = {"type": "object", "properties": {"amount": {"type": "string"}}, "additionalProperties": False}
    old = shape(refund={"anyOf": [{"$ref": "#/$defs/Money"}, {"type": "null"}]}) | {"$defs": {"Money": money}}
    cents = {"properties": {"amount": {"type": "string"}, "cents": {"type": "integer"}}}
    new = shape(refund={"$ref": "#/$defs/Money"}) | {"$defs": {"Money": money | cents}}
    assert [str(change) for change in differences(old, new)] == [
        "refund: no longer accepts null [narrowed]",
        "refund.cents: new optional field on a closed shape [extended]",
    ]


@pytest.mark.parametrize(
    ("role", "change", "breaks"),
    [
        ("command", shape(name={"type": "string", "maxLength": 200}), False),  # accepts more: fine
        ("command", shape(name={"type": "string", "maxLength": 50}), True),
        ("reply", shape(note=NOTE), False),  # clients ignore what they do not know
        ("reply", shape(name={"type": "string", "maxLength": 200}), True),
        ("document", shape(), False),
        ("value", shape(note=NOTE), True),  # a closed shape inside events and commands
    ],
)
def test_who_reads_a_contract_decides_what_breaks_it(
    role: Role, change: dict[str, Any], breaks: bool
) -> None:
    verdict = judge("Thing", role, Released(shape()), change)
    assert bool(verdict.breaking) == breaks


def test_a_new_contract_is_additive_and_a_removed_one_breaks() -> None:
    assert not judge("Thing", "reply", None, shape()).breaking
    assert judge("Thing", "reply", Released(shape()), None).breaking


RELEASED_V1 = json.loads((ROOT / "docs/schemas/released/StayBooked.v1.json").read_text())
RELEASED_V2 = json.loads((ROOT / "docs/schemas/released/StayBooked.v2.json").read_text())


def test_a_breaking_event_change_passes_with_a_version_bump_and_an_upcaster() -> None:
    verdict = judge("StayBooked", "event", Released(RELEASED_V1, 1), all_schemas()["StayBooked"])
    assert verdict.breaking == []
    changes = [str(change) for change in verdict.changes]
    assert "booked_at: new required field [narrowed]" in changes
    assert "guest.email: format 'email' → None [widened]" in changes  # sealed from version 3
    assert verdict.note == "schema version 1 → 3, upcast by innkeeper_contracts.upcasting"


def test_a_version_bump_without_an_upcaster_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(upcasting.UPCASTERS, ("StayBooked", 2))
    verdict = judge("StayBooked", "event", Released(RELEASED_V2, 2), all_schemas()["StayBooked"])
    breaking = [str(change) for change in verdict.breaking]
    assert "guest.email: format 'email' → None [widened]" in breaking
    assert breaking[-1] == "(root): schema version 2 → 3 without an upcaster 2 → 3 [changed]"


def test_a_breaking_event_change_without_a_bump_fails() -> None:
    current = all_schemas()["RefundIssued"]
    narrowed = json.loads(json.dumps(current))
    narrowed["properties"]["policy"]["enum"] = ["full", "half"]  # `none` refunds vanish from v1
    assert judge("RefundIssued", "event", Released(current, 1), narrowed).breaking


def test_every_contract_has_a_role() -> None:
    role_of = roles()
    assert set(all_schemas()) <= set(role_of)
    assert [
        role_of[name] for name in ("BookStay", "CommandAccepted", "HotelCard", "StayBooked", "Money")
    ] == [
        "command",
        "reply",
        "document",
        "event",
        "value",
    ]


def test_every_contract_is_compatible_with_its_last_release() -> None:
    script = _script()
    verdicts = script.check()
    assert [verdict.name for verdict in verdicts if verdict.breaking] == [], script.report(verdicts)


def test_the_script_exits_1_naming_a_contract_it_breaks(tmp_path: Path) -> None:
    released = tmp_path / "released"
    released.mkdir()
    for path in (ROOT / "docs/schemas/released").glob("*.json"):
        (released / path.name).write_text(path.read_text())
    bigger = json.loads((released / "BookStay.json").read_text())
    bigger["properties"]["guests"]["maximum"] = 50  # released accepting 50 guests; now 20
    (released / "BookStay.json").write_text(json.dumps(bigger))
    (released / "StayBooked.v2.json").unlink()  # compared with v1: bumped, upcast
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--released", str(released)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "BREAKING BookStay (command)\n           guests: maximum 50 → 20 [narrowed]" in run.stdout
    assert "ok       StayBooked (event): schema version 1 → 3" in run.stdout
    assert "1 contract(s) changed incompatibly since their release: BookStay." in run.stderr
