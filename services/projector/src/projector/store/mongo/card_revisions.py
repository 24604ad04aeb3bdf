"""The per-city card revisions (`storage.CARD_REVISIONS`): what the query service checks its cached
cards of a city against, raised before the cards themselves are written."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pymongo import UpdateOne

from innkeeper_contracts.documents import CARD_REVISIONS, HOTEL_CARDS
from innkeeper_contracts.documents.storage import REVISION
from projector.ports import Changes


def card_revision_operations(changes: Changes) -> list[Any]:
    """One `$max` upsert per city whose cards the batch writes: each card's revision as it will be.

    Why before the cards and with `$max`: a reader that finds every card of a city at the revisions
    listed may keep them until the list changes, and no card can change before its entry has. `$max`
    commutes, so shards writing hotels of one city never conflict; a batch that fails after this write
    only leaves an entry ahead of its card, which the reader takes as "not cacheable" until the
    batch is applied again. Cards are never deleted.
    """
    raised: defaultdict[str, dict[str, int]] = defaultdict(dict)
    for (base, doc_id), doc in changes.documents.items():
        if base == HOTEL_CARDS and doc is not None:
            raised[doc["city"]][f"hotels.{doc_id}"] = changes.revisions.get((base, doc_id), 0) + 1
    return [UpdateOne({"_id": city}, {"$max": raised[city]}, upsert=True) for city in sorted(raised)]


__all__ = ["CARD_REVISIONS", "REVISION", "card_revision_operations"]
