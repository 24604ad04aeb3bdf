"""Guests' data keys for the projector tests, kept in `guest_keys` as the command service keeps them
(the test database is migrated: `event_log`): personal texts sealed under them, a guest erased by
deleting their key and recording `GuestDataErased` on each of their bookings (`innkeeper_kit.personal`;
the tests do not need the command service running)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
from story import Story
from testkit.auth import pii_master_keys

from innkeeper_contracts import GuestDataErased, SealedGuest
from innkeeper_kit.personal import GuestKey, GuestKeyStore, MasterKeys, seal


class Guests:
    """Makes, uses and erases guests' keys in the test database (the same master key as the services)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.store = GuestKeyStore(MasterKeys.parse(pii_master_keys()))
        self.bookings: dict[str, list[tuple[str, str]]] = {}
        """Per guest: (booking id, hotel id) of each booking made through `book`."""

    async def key(self, guest_id: str) -> GuestKey:
        """The guest's key, made on first use."""
        connection = await asyncpg.connect(self.dsn)
        try:
            key = await self.store.key_of(connection, guest_id)
            if key is None:
                key = self.store.new_key()
                await self.store.insert(connection, guest_id, key)
            return key
        finally:
            await connection.close()

    async def sealed(self, guest_id: str, text: str) -> str:
        key = await self.key(guest_id)
        return seal(key.key_id, key.data_key, text)

    async def book(
        self, story: Story, hotel_id: str, room_type: str, guest_id: str, name: str, email: str
    ) -> str:
        """A booking of the guest with their name and address sealed."""
        guest = SealedGuest(
            guest_id=guest_id,
            name=await self.sealed(guest_id, name),
            email=await self.sealed(guest_id, email),
        )
        booking = story.book(hotel_id, room_type=room_type, guest=guest)
        assert booking is not None
        self.bookings.setdefault(guest_id, []).append((booking, hotel_id))
        return booking

    async def erase(self, story: Story, guest_id: str) -> list[uuid.UUID]:
        """What `EraseGuestData` does: the key deleted, `GuestDataErased` on every booking of the guest."""
        connection = await asyncpg.connect(self.dsn)
        try:
            key_ids = await self.store.erase(connection, guest_id)
        finally:
            await connection.close()
        at = datetime.now(UTC)
        for booking, hotel in self.bookings.get(guest_id, []):
            erased = GuestDataErased(
                booking_id=uuid.UUID(booking),
                hotel_id=uuid.UUID(hotel),
                guest_id=guest_id,
                erased_at=at,
                key_ids=key_ids,
            )
            story.add(booking, hotel, erased)
        return key_ids
