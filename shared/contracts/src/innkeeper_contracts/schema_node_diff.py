"""One JSON Schema node compared with its old self, apart from what it contains (items, fields, union
branches: `schema_diff` walks those): its type, its fixed values, its bounds, its pattern and format.
The kinds of difference are `schema_diff`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Schema = dict[str, Any]
Kind = Literal["additive", "extended", "widened", "narrowed", "removed", "changed"]

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_WIDER_TYPE = {("integer", "number")}


@dataclass(frozen=True)
class Difference:
    """One difference: where (a dotted path), its kind, and what changed."""

    path: str
    kind: Kind
    what: str

    def __str__(self) -> str:
        return f"{self.path or '(root)'}: {self.what} [{self.kind}]"


def node_differences(old: Schema, new: Schema, path: str) -> list[Difference]:
    """A type replaced (only that: the rest of two types cannot be compared), or else what the node's
    values, bounds, pattern and format now accept."""
    old_type, new_type = old.get("type"), new.get("type")
    if old_type != new_type:
        if (old_type, new_type) in _WIDER_TYPE:
            return [Difference(path, "widened", f"type {old_type} → {new_type}")]
        if (new_type, old_type) in _WIDER_TYPE:
            return [Difference(path, "narrowed", f"type {old_type} → {new_type}")]
        return [Difference(path, "changed", f"type {old_type} → {new_type}")]
    return _values(old, new, path) + _bounds(old, new, path) + _formats(old, new, path)


def _values(old: Schema, new: Schema, path: str) -> list[Difference]:
    old_values, new_values = _allowed(old), _allowed(new)
    if old_values is None and new_values is None:
        return []
    if old_values is None:
        return [Difference(path, "narrowed", f"now only {sorted(new_values or [], key=repr)}")]
    if new_values is None:
        return [Difference(path, "widened", "no longer a fixed set of values")]
    found = [Difference(path, "narrowed", f"value {v!r} removed") for v in old_values - new_values]
    return found + [Difference(path, "widened", f"value {v!r} added") for v in new_values - old_values]


def _allowed(schema: Schema) -> set[Any] | None:
    if "const" in schema:
        return {schema["const"]}
    return set(schema["enum"]) if "enum" in schema else None


def _bounds(old: Schema, new: Schema, path: str) -> list[Difference]:
    found = []
    for key in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        lower = key in _LOWER_BOUNDS
        tighter = before is None or (after is not None and (after > before if lower else after < before))
        kind: Kind = "narrowed" if tighter else "widened"
        found.append(Difference(path, kind, f"{key} {before} → {after}"))
    if not old.get("uniqueItems") and new.get("uniqueItems"):
        found.append(Difference(path, "narrowed", "items now unique"))
    return found


def _formats(old: Schema, new: Schema, path: str) -> list[Difference]:
    found = []
    for key in ("pattern", "format"):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        kind: Kind = "narrowed" if before is None else "widened" if after is None else "changed"
        found.append(Difference(path, kind, f"{key} {before!r} → {after!r}"))
    return found
