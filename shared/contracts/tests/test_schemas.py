"""Pin the JSON Schema of every contract: a change to the wire shows up as a failing test and a diff.

After a deliberate change, regenerate with `UPDATE_SCHEMAS=1 make test-unit` and review the diff.
"""

import json
import os
from pathlib import Path

import pytest

from innkeeper_contracts.schemas import all_schemas

PINNED = Path(__file__).parent / "schemas"
SCHEMAS = all_schemas()


def _render(schema: object) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_pinned(name: str) -> None:
    path = PINNED / f"{name}.json"
    if os.environ.get("UPDATE_SCHEMAS") == "1":
        path.write_text(_render(SCHEMAS[name]))
    assert path.exists(), f"new contract {name}: pin it with UPDATE_SCHEMAS=1"
    assert path.read_text() == _render(SCHEMAS[name]), f"{name} changed on the wire"


def test_no_pinned_schema_is_orphaned() -> None:
    pinned = {path.stem for path in PINNED.glob("*.json")}
    assert pinned == set(SCHEMAS), "a contract was removed or renamed: delete or rename its pin"
