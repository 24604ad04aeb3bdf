"""JSON bodies of stored documents, checked against their contract once per distinct content."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any, NamedTuple

import orjson

from innkeeper_contracts import Contract

from .models import load

Document = dict[str, Any]


def etag_of(body: bytes) -> str:
    """A strong validator of exactly these bytes."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


class Tagged(NamedTuple):
    """A JSON body and its ETag."""

    json: bytes
    etag: str

    @classmethod
    def of(cls, json: bytes) -> Tagged:
        return cls(json, etag_of(json))


class DocumentBodies:
    """The contract's JSON of stored documents, validated and serialised once per distinct content.

    Why this is safe: the answer is a pure function of the stored fields, and the cache key is those
    fields' exact JSON (orjson keeps `1`, `1.0`, `true` and `"1"` apart), so a hit returns what a fresh
    validation would. Each new content is still validated with pydantic: a document that breaks its
    contract raises (a 500 problem) every time and is never cached. Bounded LRU, one per process; the
    ETag is kept with the body, as it is a function of the bytes.
    """

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._bodies: OrderedDict[tuple[type[Contract], bytes], Tagged] = OrderedDict()

    def body(self, model: type[Contract], document: Document) -> bytes:
        """The document (storage-only `_` keys dropped) as `model` serialises it."""
        return self.tagged(model, document).json

    def tagged(self, model: type[Contract], document: Document) -> Tagged:
        """`body()` with its ETag."""
        fields = {key: value for key, value in document.items() if not key.startswith("_")}
        try:
            key = (model, orjson.dumps(fields))
        except TypeError:  # a stored value orjson cannot write (e.g. a BSON type): no shortcut
            return Tagged.of(load(model, fields).model_dump_json().encode())
        found = self._bodies.get(key)
        if found is not None:
            self._bodies.move_to_end(key)
            return found
        found = self._bodies[key] = Tagged.of(load(model, fields).model_dump_json().encode())
        if len(self._bodies) > self._size:
            self._bodies.popitem(last=False)
        return found

    def page(self, model: type[Contract], documents: list[Document], next_cursor: str | None) -> bytes:
        """A `{items, next_cursor}` page, byte for byte what the page model would serialise."""
        items = b",".join(self.body(model, document) for document in documents)
        return b'{"items":[' + items + b'],"next_cursor":' + orjson.dumps(next_cursor) + b"}"
