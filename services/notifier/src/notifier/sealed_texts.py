"""The sealed texts (`sealed:v1:<key id>:…`) anywhere in an event's data: which keys they need, and
the data with them opened. Pure: the keys are given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from innkeeper_kit.personal import is_sealed, open_sealed, sealed_key_id


def sealed_key_ids(value: Any) -> set[UUID]:
    """The ids of the data keys the sealed texts anywhere in `value` (event data, JSON) need."""
    if isinstance(value, str):
        return {sealed_key_id(value)} if is_sealed(value) else set()
    if isinstance(value, Mapping):
        return set().union(*(sealed_key_ids(item) for item in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(sealed_key_ids(item) for item in value))
    return set()


def opened(value: Any, keys: Mapping[UUID, bytes]) -> Any:
    """`value` with every sealed text opened (each one's key must be in `keys`)."""
    if isinstance(value, str):
        return open_sealed(value, keys[sealed_key_id(value)]) if is_sealed(value) else value
    if isinstance(value, Mapping):
        return {name: opened(item, keys) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [opened(item, keys) for item in value]
    return value
