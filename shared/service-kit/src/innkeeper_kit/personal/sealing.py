"""One text sealed under a guest's data key: `sealed:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`.

AES-256-GCM with a fresh 96-bit nonce per text; the key id is the associated data, so a sealed text moved
under another key id does not open. A text that is not sealed is clear text of an event logged before
personal data was sealed: `open_sealed` is only called on sealed texts (`is_sealed`)."""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from innkeeper_contracts.personal import ERASED as ERASED
from innkeeper_contracts.personal import SEALED_PREFIX as SEALED_PREFIX

_NONCE_BYTES = 12
_KEY_ID_CHARS = 36


class SealingError(ValueError):
    """A sealed text is malformed, or does not open under the key given (tampered, or the wrong key)."""


def seal(key_id: UUID, data_key: bytes, text: str) -> str:
    """`text` sealed under the guest's data key `key_id`."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(data_key).encrypt(nonce, text.encode(), str(key_id).encode())
    return f"{SEALED_PREFIX}{key_id}:{base64.urlsafe_b64encode(nonce + sealed).rstrip(b'=').decode()}"


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def sealed_key_id(value: str) -> UUID:
    """The id of the data key a sealed text needs (SealingError when it is not a sealed text)."""
    if not is_sealed(value):
        raise SealingError("not a sealed text")
    try:
        return UUID(value[len(SEALED_PREFIX) : len(SEALED_PREFIX) + _KEY_ID_CHARS])
    except ValueError as error:
        raise SealingError("a sealed text without a key id") from error


def open_sealed(value: str, data_key: bytes) -> str:
    """The clear text of a sealed text (SealingError when malformed or under another key)."""
    key_id = sealed_key_id(value)
    body = value[len(SEALED_PREFIX) + _KEY_ID_CHARS + 1 :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return AESGCM(data_key).decrypt(nonce, sealed, str(key_id).encode()).decode()
    except (InvalidTag, ValueError) as error:
        raise SealingError(f"sealed text under key {key_id} does not open") from error


def sealed_key_ids(value: Any) -> set[UUID]:
    """The ids of the data keys the sealed texts anywhere in `value` (event data, JSON) need."""
    if isinstance(value, str):
        return {sealed_key_id(value)} if is_sealed(value) else set()
    if isinstance(value, Mapping):
        return set().union(*(sealed_key_ids(item) for item in value.values()))
    if isinstance(value, list | tuple):
        return set().union(*(sealed_key_ids(item) for item in value))
    return set()


def opened(value: Any, keys: Mapping[UUID, bytes]) -> Any:
    """`value` with every sealed text anywhere in it opened (each one's key must be in `keys`)."""
    if isinstance(value, str):
        return open_sealed(value, keys[sealed_key_id(value)]) if is_sealed(value) else value
    if isinstance(value, Mapping):
        return {name: opened(item, keys) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [opened(item, keys) for item in value]
    return value
