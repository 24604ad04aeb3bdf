"""What the projector needs of the guests' data keys (the command service's `guest_keys`, read only)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from uuid import UUID


class KeyStore(Protocol):
    """The guests' data keys, unwrapped with the master keys of the settings."""

    async def data_keys(self, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
        """The keys of `key_ids` that exist now (an erased guest's is absent); raises if unreadable."""
        ...


class NoKeyStore:
    """A `KeyStore` for a projector wired without one (tests of clear-text events): asked for a key, it
    raises, so a sealed text is never shown as erased for want of a key store."""

    async def data_keys(self, key_ids: Collection[UUID]) -> dict[UUID, bytes]:
        if key_ids:
            raise KeyStoreMissingError(f"{len(key_ids)} data keys asked of a projector without a key store")
        return {}


class KeyStoreMissingError(RuntimeError):
    """A sealed text met a projector wired without a key store (a wiring mistake)."""
