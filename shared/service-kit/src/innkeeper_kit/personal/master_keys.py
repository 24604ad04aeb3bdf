"""Master keys wrap the guests' data keys: `PII_MASTER_KEYS="<id>:<base64 of 32 bytes>[,<id>:...]"`.

The first key wraps new data keys; every key listed unwraps. Rotation: put a new key first, re-wrap
(`innkeeper-command rewrap-guest-keys`), then drop the old one (docs/operations.md)."""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
_NONCE_BYTES = 12
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class MasterKeyError(ValueError):
    """The master keys setting is malformed, or a wrapped key names a master key not configured."""


@dataclass(frozen=True, repr=False)
class MasterKeys:
    """The configured master keys, the current one first (its repr shows ids only, never key bytes)."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def parse(cls, setting: str) -> MasterKeys:
        keys: list[tuple[str, bytes]] = []
        for item in filter(None, (part.strip() for part in setting.split(","))):
            key_id, _, encoded = item.partition(":")
            if not _ID.match(key_id):
                raise MasterKeyError(f"master key id {key_id!r} is not 1-64 of [A-Za-z0-9_.-]")
            try:
                key = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError) as error:
                raise MasterKeyError(f"master key {key_id!r} is not base64") from error
            if len(key) != KEY_BYTES:
                raise MasterKeyError(f"master key {key_id!r} has {len(key)} bytes, not {KEY_BYTES}")
            if any(key_id == known for known, _ in keys):
                raise MasterKeyError(f"master key id {key_id!r} is listed twice")
            keys.append((key_id, key))
        if not keys:
            raise MasterKeyError("no master key: set PII_MASTER_KEYS (`make pii-key` prints one)")
        return cls(tuple(keys))

    @staticmethod
    def new_setting(key_id: str = "k1") -> str:
        """A setting holding one new random master key."""
        return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def wrap(self, key_id: UUID, data_key: bytes) -> tuple[str, bytes]:
        """(master key id, wrapped data key) under the current master key; the data key's id is bound."""
        master_id, master = self.keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        return master_id, nonce + AESGCM(master).encrypt(nonce, data_key, str(key_id).encode())

    def unwrap(self, key_id: UUID, master_id: str, wrapped: bytes) -> bytes:
        master = dict(self.keys).get(master_id)
        if master is None:
            raise MasterKeyError(f"guest key {key_id} is wrapped by master key {master_id!r}, not configured")
        try:
            nonce, sealed = wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:]
            return AESGCM(master).decrypt(nonce, sealed, str(key_id).encode())
        except InvalidTag as error:
            raise MasterKeyError(f"guest key {key_id} does not unwrap under {master_id!r}") from error

    def __repr__(self) -> str:
        return f"MasterKeys(ids={[key_id for key_id, _ in self.keys]})"
