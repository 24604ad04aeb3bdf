"""The guests' personal data a delivery carries: recorded as it came (sealed under the guest's data key,
`sealed:v1:…`), opened only in memory, at send time, with the keys still in `guest_keys`.

A key that is absent was erased (`EraseGuestData`): the delivery is cancelled, never sent. A key that
cannot be read (PostgreSQL away, a master key not configured) is a temporary failure, retried: only an
absent key means erased. Text that is not sealed is clear text of an event logged before sealing
existed (legacy), used as it is.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Protocol
from uuid import UUID

from innkeeper_kit.personal import opened, sealed_key_ids

from .deliveries import Delivery
from .failures import GuestDataErasedError, TemporaryFailureError
from .plans import GUEST_RECIPIENT


class GuestKeys(Protocol):
    """Reads the data keys that still exist (an erased one is absent from the answer):
    `innkeeper_kit.personal.GuestKeyReader` over the notifier's pool (`guest_keys` is in its database)."""

    async def data_keys(self, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """The data keys of `key_ids` still stored; raises when they cannot be read."""


async def open_delivery(delivery: Delivery, keys: GuestKeys) -> Delivery:
    """The delivery as it is sent: its event's sealed texts opened, a guest's recipient resolved to the
    address. Raises GuestDataErasedError when a key is gone, TemporaryFailureError when the keys cannot
    be read (never taken for erased). The clear texts live only in the object returned."""
    needed = sealed_key_ids(delivery.envelope.data)
    if not needed:
        return delivery  # nothing sealed: a legacy event, or one without personal data
    try:
        found = await keys.data_keys(needed)
    except Exception as error:  # PostgreSQL away, the table missing, a master key not configured
        reason = f"guest keys could not be read: {type(error).__name__}: {error}"[:300]
        raise TemporaryFailureError(reason) from error
    if missing := needed - found.keys():
        raise GuestDataErasedError(sorted(missing))
    envelope = delivery.envelope.model_copy(update={"data": opened(delivery.envelope.data, found)})
    recipient = delivery.recipient
    if delivery.channel == "mail" and recipient.startswith(GUEST_RECIPIENT):
        recipient = str(envelope.data["email"])
    return replace(delivery, envelope=envelope, recipient=recipient)
