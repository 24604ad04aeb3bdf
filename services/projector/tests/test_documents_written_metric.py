"""`innkeeper_projector_documents_written_total` counts what saved batches wrote, by kind and collection."""

from __future__ import annotations

from typing import Any, cast

from projector_builders import Log
from test_writes_per_event import CountingStore, G, QuietShard, bench_bookings

from innkeeper_contracts.documents import BOOKINGS, CHECKPOINTS, HOTEL_NIGHTS
from projector.metrics import CHECKPOINT, READ_DOCUMENT, Metrics
from projector.planner import plan_batch
from projector.ports import Changes, Checkpoint, ReadStore
from projector.store.memory import MemoryStore
from projector.writer import BatchWriter

METRIC = "innkeeper_projector_documents_written_total"


def written(metrics: Metrics, kind: str, collection: str) -> float:
    value = metrics.registry.get_sample_value(METRIC, {"kind": kind, "collection": collection})
    return value or 0.0


def all_written(metrics: Metrics, kind: str) -> float:
    return sum(
        sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == METRIC and sample.labels["kind"] == kind
    )


async def test_writes_count_but_a_document_created_and_deleted_within_the_batch_does_not() -> None:
    metrics = Metrics()
    store = MemoryStore()  # "replaced" stored at revision 3, "deleted" at 1
    for key, revision in [("replaced", None), ("replaced", 1), ("replaced", 2), ("deleted", None)]:
        revisions = {} if revision is None else {(BOOKINGS, key): revision}
        await store.save(G, Changes({(BOOKINGS, key): {"_id": key}}, revisions, {}))
    changes = Changes(
        documents={
            (BOOKINGS, "new"): {"_id": "new"},
            (BOOKINGS, "replaced"): {"_id": "replaced"},
            (BOOKINGS, "deleted"): None,
            (BOOKINGS, "born-and-gone"): None,
            (HOTEL_NIGHTS, "night"): {"_id": "night"},
        },
        revisions={(BOOKINGS, "replaced"): 3, (BOOKINGS, "deleted"): 1},
        checkpoints={"a": Checkpoint(2, 10), "b": Checkpoint(1, 11)},
    )
    metrics.record_written(await store.save(G, changes))
    assert written(metrics, READ_DOCUMENT, BOOKINGS) == 3
    assert written(metrics, READ_DOCUMENT, HOTEL_NIGHTS) == 1
    assert written(metrics, CHECKPOINT, CHECKPOINTS) == 2


async def test_the_writer_counts_exactly_what_its_saves_wrote() -> None:
    log, envelopes = bench_bookings(120)
    documents = CountingStore()
    registered = await plan_batch(documents, G, log.envelopes[: -len(envelopes)], cast(Log, log))
    await documents.save(G, registered.changes())
    documents.document_writes = documents.checkpoint_writes = 0
    shard = cast(Any, QuietShard())
    metrics = Metrics()
    store = ReadStore(documents, shard, shard, shard, cast(Any, None), cast(Any, None))
    writer = BatchWriter(store, cast(Any, log), metrics=metrics)
    for start in range(0, len(envelopes), 50):
        await writer.write("shard-0", envelopes[start : start + 50])
    assert documents.checkpoint_writes == 120  # one per booking: each booking's two events share a batch
    assert all_written(metrics, CHECKPOINT) == documents.checkpoint_writes
    assert all_written(metrics, READ_DOCUMENT) == documents.document_writes
    assert written(metrics, READ_DOCUMENT, BOOKINGS) == 120
