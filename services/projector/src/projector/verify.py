"""Compare the live read model with a fresh rebuild in memory; print every difference."""

from __future__ import annotations

from typing import Any

from innkeeper_contracts.documents import CHECKPOINTS

from .bootstrap import Components
from .generations import BASES
from .memory_store import MemoryStore
from .mongo_store import REVISION
from .projection.view import Doc
from .replay import ReplayResult, replay

FRESH = "fresh"


async def verify(parts: Components) -> int:
    memory = MemoryStore()
    start = ReplayResult(skipped=frozenset(await parts.parking.skipped_ids()))
    settings = parts.settings
    limit = settings.projector_max_document_bytes  # the live projector's: it refuses the same events
    result = await replay(
        memory, FRESH, parts.events, settings.projector_rebuild_chunk, start, max_document_bytes=limit
    )
    generation = (await parts.registry.current()).active
    differences = 0
    for base in BASES:
        expected = _expected(memory, base)
        actual = {d["_id"]: _strip(d) async for d in parts.store.collection(base, generation).find({})}
        differences += _report(base, expected, actual)
    rebuilt = f"a rebuild of {result.applied} events"
    print(f"verified generation {generation} against {rebuilt}: {differences} differences")
    return 1 if differences else 0


def _expected(memory: MemoryStore, base: str) -> dict[str, Doc]:
    if base == CHECKPOINTS:
        stored = memory.checkpoint_docs.get(FRESH, {})
        return {
            a: {"_id": a, "version": c.version, "global_position": c.global_position}
            for a, c in stored.items()
        }
    return {doc_id: doc for (b, doc_id), doc in memory.docs.get(FRESH, {}).items() if b == base}


def _strip(doc: dict[str, Any]) -> Doc:
    return {k: v for k, v in doc.items() if k != REVISION}


def _report(base: str, expected: dict[str, Doc], actual: dict[str, Doc]) -> int:
    count = 0
    for doc_id in sorted(expected.keys() | actual.keys()):
        want, have = expected.get(doc_id), actual.get(doc_id)
        if want == have:
            continue
        count += 1
        if have is None:
            print(f"{base} {doc_id}: missing in the live model")
        elif want is None:
            print(f"{base} {doc_id}: in the live model but not in a rebuild")
        else:
            fields = sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))
            for name in fields:
                print(f"{base} {doc_id}.{name}: live {have.get(name)!r} != rebuilt {want.get(name)!r}")
    return count
