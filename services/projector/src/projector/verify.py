"""Compare the live read model with a fresh rebuild in memory; print every difference."""

from __future__ import annotations

from .ports import GENERATION_BASES
from .projection.view import Doc
from .replay import ReplayResult, replay
from .runtime import Runtime
from .store.memory import MemoryStore

FRESH = "fresh"


async def verify(runtime: Runtime) -> int:
    memory = MemoryStore()
    start = ReplayResult(skipped=frozenset(await runtime.store.parking.skipped_ids()))
    settings = runtime.settings
    limit = settings.projector_max_document_bytes  # the live projector's: it refuses the same events
    chunk, keys = settings.projector_rebuild_chunk, runtime.keys  # the keys as they are now
    result = await replay(memory, FRESH, runtime.events, chunk, start, max_document_bytes=limit, keys=keys)
    generation = (await runtime.store.generations.current()).active
    differences = 0
    for base in GENERATION_BASES:
        expected = await memory.contents(FRESH, base)
        actual = await runtime.store.documents.contents(generation, base)
        differences += _report(base, expected, actual)
    rebuilt = f"a rebuild of {result.applied} events"
    print(f"verified generation {generation} against {rebuilt}: {differences} differences")
    return 1 if differences else 0


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
