"""The guests' data keys inside one unit of work (`GuestKeys`): a guest's key from this process's cache,
else read, else made, its row then inserted by the command's final statement. A booking does not read
first (`likely_new`): it makes a key, and a guest who had one makes the statement fail and run again,
reading it — a booking stays one statement, and a known guest costs what the read would have.

Why no lock is needed: each booking row names the key its data was last sealed under
(`bookings.guest_key_id`, a foreign key ON DELETE SET NULL, migration 007). A write naming a key that is
gone fails the foreign key; one naming a key an erasure is deleting waits for it, then fails; an erasure
that comes after a write waits for it and then finds its booking (it reads the guest's bookings after
deleting the key) to record GuestDataErased on. Two first bookings of one guest both make a key: the
second insert breaks `guest_keys_guest_id_key`. Either failure fails the whole statement (nothing is
written, even when it runs alone) and is a RetryableConflictError: the command runs again, and the
guest's key is read again, not taken from the cache.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from command_service.adapters.transaction import Transaction
from command_service.adapters.write_fragment import Parameters
from command_service.application.ports import RetryableConflictError
from innkeeper_kit.personal import GuestKey, GuestKeyStore, seal

_GONE_KEY = "bookings_guest_key_id_fkey"
_READ_FIRST_MAX = 10_000
_TAKEN = ("guest_keys_guest_id_key", "guest_keys_pkey")


class GuestKeyCache:
    """The keys this process sealed under lately, by guest; past `size` the least recently used goes (0:
    none is kept). A key another replica erased may linger here: the foreign key refuses what it seals."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: OrderedDict[str, GuestKey] = OrderedDict()

    def get(self, guest_id: str) -> GuestKey | None:
        key = self._keys.get(guest_id)
        if key is not None:
            self._keys.move_to_end(guest_id)
        return key

    def put(self, guest_id: str, key: GuestKey) -> None:
        if self._size:
            self._keys[guest_id] = key
            self._keys.move_to_end(guest_id)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def forget(self, guest_id: str) -> None:
        self._keys.pop(guest_id, None)


@dataclass(frozen=True)
class GuestKeyring:
    """What every unit of work shares about keys: the store (with the master keys), the cache, and the
    guests a key was made for in vain (they had one: the command's next run reads it)."""

    store: GuestKeyStore
    cache: GuestKeyCache
    read_first: set[str] = field(default_factory=set)

    def made_in_vain(self, guest_ids: list[str]) -> None:
        if len(self.read_first) > _READ_FIRST_MAX:  # runs that never came again: forget them
            self.read_first.clear()
        self.read_first.update(guest_ids)


@dataclass(frozen=True)
class KeySealer:
    """A `Sealer` under one guest's key."""

    key: GuestKey

    def seal(self, text: str) -> str:
        return seal(self.key.key_id, self.key.data_key, text)


class _ReadAlone:
    """The store's reads through `Transaction.fetchrow_alone` (no BEGIN for a lookup the final statement
    checks again)."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction

    async def fetchrow(self, query: str, *args: Any) -> Any:
        return await self._transaction.fetchrow_alone(query, *args)

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        return await self._transaction.fetch(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        return await self._transaction.execute(query, *args)


class PostgresGuestKeys:
    """GuestKeys for one unit of work; `sealed_under` tells the booking writes which key to name."""

    def __init__(self, transaction: Transaction, keyring: GuestKeyring) -> None:
        self._transaction, self._keyring = transaction, keyring
        self._sealers: dict[str, KeySealer] = {}
        self._made: dict[str, GuestKey] = {}

    async def sealer_for(self, guest_id: str, *, likely_new: bool = False) -> KeySealer:
        if (sealer := self._sealers.get(guest_id)) is not None:
            return sealer
        keyring = self._keyring
        store, cache = keyring.store, keyring.cache
        key = cache.get(guest_id)
        # A guest stays in `read_first` (bounded): every command that raced for their first key, each
        # running again, reads it, not only the first to run again.
        if key is None and (not likely_new or guest_id in keyring.read_first):
            key = await store.key_of(_ReadAlone(self._transaction), guest_id)
        if key is None:
            key = self._made[guest_id] = store.new_key()
        else:
            cache.put(guest_id, key)
        sealer = self._sealers[guest_id] = KeySealer(key)
        return sealer

    async def erase(self, guest_id: str) -> list[UUID]:
        self._keyring.cache.forget(guest_id)
        return await self._keyring.store.erase(self._transaction, guest_id)

    def sealed_under(self, guest_id: str) -> UUID | None:
        """The key this unit of work sealed the guest's data under (None: it sealed none)."""
        sealer = self._sealers.get(guest_id)
        return None if sealer is None else sealer.key.key_id

    def final_write(self) -> GuestKeysWrite | None:
        """The write the final statement makes for the keys (inserting those made), if any was used."""
        if not self._sealers:
            return None
        made = [self._keyring.store.insert_args(guest, key) for guest, key in self._made.items()]
        return GuestKeysWrite(made, self._forget_used, self._made_in_vain)

    def committed(self) -> None:
        """The keys made are in the database now: keep them for the guests' next commands."""
        for guest_id, key in self._made.items():
            self._keyring.cache.put(guest_id, key)

    def _forget_used(self) -> None:
        for guest_id in self._sealers:
            self._keyring.cache.forget(guest_id)

    def _made_in_vain(self) -> None:
        self._keyring.made_in_vain(list(self._made))


_INSERT = """guest_keys_made AS (
    INSERT INTO guest_keys (key_id, guest_id, master_key_id, wrapped_key)
    SELECT * FROM unnest({key_ids:uuid[]}, {guest_ids:text[]}, {master_ids:text[]}, {wrapped:bytea[]})
    WHERE {after}
    RETURNING 1
)"""


@dataclass(frozen=True)
class GuestKeysWrite:
    """The keys a command made, inserted after its other writes (no CTE when it used known keys only),
    and its answer to a key erased, or made by another command, meanwhile (above): a `Write`."""

    made: list[tuple[UUID, str, str, bytes]]
    forget_used: Callable[[], None] = field(compare=False)
    made_in_vain: Callable[[], None] = field(compare=False, default=lambda: None)
    columns = ""
    may_refuse = False  # an insert that fails fails the statement: nothing is left made

    @property
    def written(self) -> str:
        return "EXISTS (SELECT 1 FROM guest_keys_made)" if self.made else ""

    def ctes(self, parameters: Parameters, after: str) -> str:
        if not self.made:
            return ""
        key_ids, guest_ids, master_ids, wrapped = (list(column) for column in zip(*self.made, strict=True))
        return parameters.fill(
            _INSERT, key_ids=key_ids, guest_ids=guest_ids, master_ids=master_ids, wrapped=wrapped, after=after
        )

    def check(self, row: asyncpg.Record) -> None:
        """Nothing to check: made whenever the writes before it were, or the statement failed."""

    def refused(self, error: asyncpg.PostgresError) -> None:
        gone = isinstance(error, asyncpg.ForeignKeyViolationError) and error.constraint_name == _GONE_KEY
        taken = isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name in _TAKEN
        if gone or taken:
            self.forget_used()
            if taken:
                self.made_in_vain()
            what = "was erased" if gone else "was made by another command"
            raise RetryableConflictError(f"a guest's data key {what} meanwhile; run again") from None
