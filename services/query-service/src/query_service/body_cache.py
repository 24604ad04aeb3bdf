"""The cache of answer bodies: stored documents as their contract's JSON, checked once per content."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Any, NamedTuple

import orjson

from innkeeper_contracts import Contract

from .models import load

Document = dict[str, Any]
ENTRY_OVERHEAD_BYTES = 256
"""What an entry costs besides its key's and body's bytes (the tuple, the ETag, the dict slot)."""


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


class BodyCache:
    """The contract's JSON of stored documents, validated and serialised once per distinct content.

    Why this is safe: the answer is a pure function of the stored fields, and the cache key is those
    fields' exact JSON (orjson keeps `1`, `1.0`, `true` and `"1"` apart), so a hit returns what a fresh
    validation would. Each new content is still validated with pydantic: a document that breaks its
    contract raises (a 500 problem) every time and is never cached. One per process, bounded in bytes
    (keys and bodies: documents differ in size by orders of magnitude), least recently used out first;
    the ETag is kept with the body, as it is a function of the bytes.
    """

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes, self.bytes = max_bytes, 0
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
        found = Tagged.of(load(model, fields).model_dump_json().encode())
        self._keep(key, found)
        return found

    def page(self, model: type[Contract], documents: list[Document], next_cursor: str | None) -> bytes:
        """A `{items, next_cursor}` page, byte for byte what the page model would serialise."""
        items = b",".join(self.body(model, document) for document in documents)
        return b'{"items":[' + items + b'],"next_cursor":' + orjson.dumps(next_cursor) + b"}"

    def _keep(self, key: tuple[type[Contract], bytes], tagged: Tagged) -> None:
        size = _size(key, tagged)
        if size > self.max_bytes:
            return  # larger than the whole cache: not kept, it would only push everything else out
        self._bodies[key] = tagged
        self.bytes += size
        while self.bytes > self.max_bytes:
            self.bytes -= _size(*self._bodies.popitem(last=False))


def _size(key: tuple[type[Contract], bytes], tagged: Tagged) -> int:
    return len(key[1]) + len(tagged.json) + ENTRY_OVERHEAD_BYTES
