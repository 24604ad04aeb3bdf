"""What changed between two JSON Schemas of one contract, each difference classified by what it does
to the data a schema accepts (docs/evolution.md says which kinds break which contracts).

Kinds:
- additive: new optional field where readers ignore unknown fields; unknown fields now ignored.
- extended: new optional field on a closed shape (`additionalProperties: false`): its old readers
  refuse data that carries it.
- widened: accepts more (a value added to an enum, a bound loosened, a field made optional).
- narrowed: accepts less (a value removed, a bound tightened, a new required field, a field made required).
- removed: a field is gone.
- changed: neither more nor less, other (a field's type, format or pattern replaced).
Titles, descriptions, examples and defaults are prose: not compared.
"""

from __future__ import annotations

from .schema_node_diff import Difference, Kind, Schema, node_differences

__all__ = ["Difference", "Kind", "Schema", "differences"]


def differences(old: Schema, new: Schema) -> list[Difference]:
    """Every difference from `old` to `new` that changes what data they accept."""
    return _Comparison(old.get("$defs", {}), new.get("$defs", {})).compare(old, new, "")


class _Comparison:
    def __init__(self, old_defs: dict[str, Schema], new_defs: dict[str, Schema]) -> None:
        self.old_defs, self.new_defs = old_defs, new_defs
        self.seen: set[tuple[str, str, str]] = set()  # (path, old $ref, new $ref): recursive shapes

    def compare(self, old: Schema, new: Schema, path: str) -> list[Difference]:
        refs = (path, old.get("$ref", ""), new.get("$ref", ""))
        if refs[1] and refs[2]:
            if refs in self.seen:
                return []
            self.seen.add(refs)
        old, new = _resolve(old, self.old_defs), _resolve(new, self.new_defs)
        old_branches, new_branches = _branches(old, self.old_defs), _branches(new, self.new_defs)
        if len(old_branches) == len(new_branches) == 1:
            return self._compare_one(old, new, path)
        found = []
        for key in old_branches.keys() - new_branches.keys():
            found.append(Difference(path, "narrowed", f"no longer accepts {key}"))
        for key in new_branches.keys() - old_branches.keys():
            found.append(Difference(path, "widened", f"now also accepts {key}"))
        for key in sorted(old_branches.keys() & new_branches.keys()):
            found += self.compare(old_branches[key], new_branches[key], path)
        return found

    def _compare_one(self, old: Schema, new: Schema, path: str) -> list[Difference]:
        found = node_differences(old, new, path)
        if old.get("type") != new.get("type"):
            return found
        if "items" in old and "items" in new:
            found += self.compare(old["items"], new["items"], f"{path}[]")
        return found + self._fields(old, new, path)

    def _fields(self, old: Schema, new: Schema, path: str) -> list[Difference]:
        old_fields, new_fields = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
        closed = old.get("additionalProperties") is False
        found = []
        for name in sorted(old_fields.keys() - new_fields.keys()):
            found.append(Difference(_join(path, name), "removed", "field removed"))
        for name in sorted(new_fields.keys() - old_fields.keys()):
            where = _join(path, name)
            if name in new_required:
                found.append(Difference(where, "narrowed", "new required field"))
            elif closed:
                found.append(Difference(where, "extended", "new optional field on a closed shape"))
            else:
                found.append(Difference(where, "additive", "new optional field"))
        for name in sorted(old_fields.keys() & new_fields.keys()):
            where = _join(path, name)
            if name in new_required - old_required:
                found.append(Difference(where, "narrowed", "now required"))
            if name in old_required - new_required:
                found.append(Difference(where, "widened", "now optional"))
            found += self.compare(old_fields[name], new_fields[name], where)
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if old_extra is False and new_extra is not False:
            found.append(Difference(path, "additive", "unknown fields now ignored"))
        elif old_extra is not False and new_extra is False:
            found.append(Difference(path, "narrowed", "unknown fields now refused"))
        elif isinstance(old_extra, dict) and isinstance(new_extra, dict):
            found += self.compare(old_extra, new_extra, f"{path}{{}}")
        return found


def _resolve(schema: Schema, defs: dict[str, Schema]) -> Schema:
    while "$ref" in schema:
        rest = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**defs[schema["$ref"].rsplit("/", 1)[-1]], **rest}
    return schema


def _branches(schema: Schema, defs: dict[str, Schema]) -> dict[str, Schema]:
    """The alternatives of a union (`anyOf`, `oneOf`) by what they are, or the schema itself."""
    alternatives = schema.get("anyOf") or schema.get("oneOf") or [schema]
    return {_branch_key(_resolve(branch, defs)): branch for branch in alternatives}


def _branch_key(schema: Schema) -> str:
    """A model by its title (its class name), a constant by its value, anything else by its type."""
    if "const" in schema:
        return f"const {schema['const']!r}"
    kind = str(schema.get("type", "any"))
    return str(schema.get("title", kind)) if kind == "object" else kind


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
