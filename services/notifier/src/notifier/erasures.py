"""A guest's erasure (`GuestDataErased`, one per booking of the guest) cancels what the notifier still
holds open for them: the booking's mails to that guest, and every delivery whose event's sealed texts
need one of the keys erased (webhooks of their events too). Not sent, not retried, kept as `cancelled`
records until the retention sweep.

A delivery being sent meanwhile is left to its send: it opens the keys then, finds them gone and is
cancelled (or went out just before the erasure). Cancelling is idempotent: a redelivered
`GuestDataErased` finds nothing more to cancel.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from innkeeper_contracts import EventEnvelope, GuestDataErased

from .failures import GuestDataErasedError
from .plans import ERASURE_EVENT


@dataclass(frozen=True)
class Erasure:
    """One booking's `GuestDataErased`: its guest and the data keys deleted."""

    booking_id: UUID
    guest_id: str
    key_ids: tuple[UUID, ...]


def erasures_in(envelopes: Iterable[EventEnvelope]) -> list[Erasure]:
    """The erasures among these (valid, current-version) events, in their order."""
    found = []
    for envelope in envelopes:
        if envelope.event_type == ERASURE_EVENT and isinstance(event := envelope.event(), GuestDataErased):
            found.append(Erasure(envelope.aggregate_id, event.guest_id, tuple(event.key_ids)))
    return found


_CANCEL = """
UPDATE notifier.deliveries SET state = 'cancelled', last_error = $4, lease_until = NULL, claim = NULL,
       finished_at = now()
WHERE (state IN ('pending', 'failed') OR (state = 'sending' AND lease_until < now()))
  AND ((aggregate_id = $1 AND guest_id = $2) OR key_ids && $3::uuid[])
RETURNING channel
"""


class ErasureQueries:
    """The erasures' part of the delivery store (`DeliveryStore` has it)."""

    pool: asyncpg.Pool

    async def forget(self, erasures: list[Erasure]) -> list[str]:
        """Cancel the open (and dead-lettered) deliveries of these erasures, in one transaction; the
        channel of each delivery cancelled."""
        if not erasures:
            return []
        cancelled: list[str] = []
        async with self.pool.acquire() as connection, connection.transaction():
            for erasure in erasures:
                rows = await connection.fetch(
                    _CANCEL,
                    erasure.booking_id,
                    erasure.guest_id,
                    list(erasure.key_ids),
                    GuestDataErasedError.REASON,
                )
                cancelled += [row["channel"] for row in rows]
        return cancelled
