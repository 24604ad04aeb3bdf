"""A guest's personal texts as the read documents show them.

An event's personal field is sealed under its guest's data key (`innkeeper_kit.personal`), or clear text
when the event was logged before sealing existed. The projection stays pure: `needs` reports which data
keys a batch's events need, the planner loads them once per batch (`ports.KeyStore`), and the view
reveals each text with what was loaded — its clear text, or `ERASED` when its key no longer exists.
A key that could not be read is never taken for an erased one: loading it failed, so the batch failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from uuid import UUID

from innkeeper_kit.personal import ERASED, SealingError, is_sealed, open_sealed, sealed_key_id

from .errors import ProjectionError, RefusedEventError

Keys = Mapping[UUID, bytes | None]
"""The data keys loaded for a batch, by id: None for a key that does not exist (its guest was erased)."""


def key_ids(texts: Iterable[str | None]) -> set[UUID]:
    """The data keys these texts need to be revealed (clear text and None need none)."""
    needed: set[UUID] = set()
    for text in texts:
        if text is not None and is_sealed(text):
            try:
                needed.add(sealed_key_id(text))
            except SealingError as error:
                raise RefusedEventError(f"invalid personal text: {error}") from error
    return needed


def reveal(keys: Keys, text: str) -> str:
    """The text a document shows: the clear text of a sealed one, `ERASED` when its key is gone, and
    clear text (an event logged before sealing) as it is."""
    if not is_sealed(text):
        return text
    try:
        key_id = sealed_key_id(text)
    except SealingError as error:
        raise RefusedEventError(f"invalid personal text: {error}") from error
    if key_id not in keys:  # the planner loads every key `needs` reports: never guess that it is gone
        raise ProjectionError(f"data key {key_id} was not loaded for this event")
    key = keys[key_id]
    if key is None:
        return ERASED
    try:
        return open_sealed(text, key)
    except SealingError as error:  # tampered, or sealed under another key: no retry opens it
        raise RefusedEventError(f"invalid personal text: {error}") from error
