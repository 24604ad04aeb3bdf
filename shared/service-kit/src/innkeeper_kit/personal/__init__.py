"""Personal data sealed per guest (crypto-shredding): a data key per guest, wrapped by a master key.

`sealing` seals and opens one text under a guest's data key; `master_keys` wraps and unwraps data keys;
`key_store` reads and writes the wrapped keys in PostgreSQL (`guest_keys`, the command service's
migration 007). Erasing a guest deletes their key: every text sealed under it is unreadable from then on,
wherever a copy went (event log, wire, parked events, dead letters, backups once their copy expires).
"""

from .key_store import GuestKey, GuestKeyReader, GuestKeyStore, data_keys
from .master_keys import MasterKeyError, MasterKeys
from .sealing import (
    ERASED,
    SEALED_PREFIX,
    SealingError,
    is_sealed,
    open_sealed,
    opened,
    seal,
    sealed_key_id,
    sealed_key_ids,
)
from .settings import PersonalDataSettings

__all__ = [
    "ERASED",
    "SEALED_PREFIX",
    "GuestKey",
    "GuestKeyReader",
    "GuestKeyStore",
    "MasterKeyError",
    "MasterKeys",
    "PersonalDataSettings",
    "SealingError",
    "data_keys",
    "is_sealed",
    "open_sealed",
    "opened",
    "seal",
    "sealed_key_id",
    "sealed_key_ids",
]
