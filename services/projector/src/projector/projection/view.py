"""The documents of one generation that a batch of events reads and changes, held in memory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from innkeeper_contracts.documents import HOTEL_NIGHTS

from .errors import ProjectionError
from .personal import Keys, reveal

Doc = dict[str, Any]
DocKey = tuple[str, str]
"""(collection base name, `_id`)."""

_ABSENT: Any = object()


@dataclass
class Needs:
    """What an event reads: documents by key, every night document of some hotels, and the data keys
    of the personal texts it reveals."""

    keys: set[DocKey] = field(default_factory=set)
    hotels_with_all_nights: set[str] = field(default_factory=set)
    key_ids: set[UUID] = field(default_factory=set)

    def merge(self, other: Needs) -> None:
        self.keys |= other.keys
        self.hotels_with_all_nights |= other.hotels_with_all_nights
        self.key_ids |= other.key_ids


class ReadView:
    """Documents as loaded plus the changes made since; `savepoint`/`rollback` undo one event. With
    them the data keys loaded for the batch (`personal.Keys`), which `reveal` opens texts with."""

    def __init__(self, docs: Mapping[DocKey, Doc] | None = None, keys: Keys | None = None) -> None:
        self._docs: dict[DocKey, Doc] = dict(docs or {})
        self._keys: Keys = keys or {}
        self.changed: dict[DocKey, Doc | None] = {}
        self._undo: list[tuple[DocKey, Any, Any]] = []

    def reveal(self, text: str) -> str:
        """A personal text as a document shows it (`personal.reveal`)."""
        return reveal(self._keys, text)

    def get(self, base: str, doc_id: str) -> Doc | None:
        return self._docs.get((base, doc_id))

    def put(self, base: str, doc_id: str, doc: Doc | None) -> None:
        """Replace (or with None delete) one document; documents are never mutated in place."""
        key = (base, doc_id)
        self._undo.append((key, self._docs.get(key, _ABSENT), self.changed.get(key, _ABSENT)))
        if doc is None:
            self._docs.pop(key, None)
        else:
            self._docs[key] = doc
        self.changed[key] = doc

    def nights_of(self, hotel_id: str) -> list[Doc]:
        """The night documents of a hotel held here (all of them when loaded with `Needs`)."""
        return [
            d for (base, _), d in self._docs.items() if base == HOTEL_NIGHTS and d["hotel_id"] == hotel_id
        ]

    def savepoint(self) -> int:
        return len(self._undo)

    def changed_since(self, savepoint: int) -> set[DocKey]:
        """The documents put (or deleted) since `savepoint`."""
        return {key for key, _, _ in self._undo[savepoint:]}

    def rollback(self, savepoint: int) -> None:
        while len(self._undo) > savepoint:
            key, doc, change = self._undo.pop()
            _restore(self._docs, key, doc)
            _restore(self.changed, key, change)

    def release(self) -> None:
        """Forget the undo log (the events so far are kept)."""
        self._undo.clear()

    def documents(self) -> dict[DocKey, Doc]:
        return dict(self._docs)


def _restore(target: dict[DocKey, Any], key: DocKey, value: Any) -> None:
    if value is _ABSENT:
        target.pop(key, None)
    else:
        target[key] = value


def taken(event: BaseModel, names: list[str]) -> dict[str, Any]:
    """The event's values of these fields, as they are (nothing is dumped and validated again)."""
    return {name: getattr(event, name) for name in names}


def required(view: ReadView, base: str, doc_id: str) -> Doc:
    """The document, which the event's projection cannot go on without (ProjectionError if missing)."""
    doc = view.get(base, doc_id)
    if doc is None:
        raise ProjectionError(f"{base} document {doc_id} is missing")
    return doc
