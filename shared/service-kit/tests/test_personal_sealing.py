"""Sealing personal data: round trips, tampering and key binding refused, master-key wrapping."""

from __future__ import annotations

import base64
from uuid import uuid4

import pytest

from innkeeper_kit.personal import (
    MasterKeyError,
    MasterKeys,
    PersonalDataSettings,
    SealingError,
    is_sealed,
    open_sealed,
    opened,
    seal,
    sealed_key_id,
    sealed_key_ids,
)
from innkeeper_kit.personal.key_store import GuestKeyStore
from innkeeper_kit.preflight.personal import master_keys_set


def test_a_sealed_text_opens_under_its_key_only() -> None:
    store = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting()))
    key, other = store.new_key(), store.new_key()
    sealed = seal(key.key_id, key.data_key, "Ada Lovelace")
    assert is_sealed(sealed)
    assert "Ada" not in sealed
    assert sealed_key_id(sealed) == key.key_id
    assert open_sealed(sealed, key.data_key) == "Ada Lovelace"
    with pytest.raises(SealingError):
        open_sealed(sealed, other.data_key)


def test_the_same_text_seals_differently_each_time() -> None:
    key = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting())).new_key()
    assert seal(key.key_id, key.data_key, "x") != seal(key.key_id, key.data_key, "x")


def test_a_sealed_text_moved_under_another_key_id_does_not_open() -> None:
    key = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting())).new_key()
    sealed = seal(key.key_id, key.data_key, "ada@example.org")
    moved = sealed.replace(str(key.key_id), str(uuid4()))
    with pytest.raises(SealingError):
        open_sealed(moved, key.data_key)


def test_a_tampered_text_is_refused() -> None:
    key = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting())).new_key()
    sealed = seal(key.key_id, key.data_key, "ada@example.org")
    tampered = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(SealingError):
        open_sealed(tampered, key.data_key)
    with pytest.raises(SealingError):
        sealed_key_id("Ada Lovelace")


def test_data_keys_unwrap_under_any_listed_master_key_and_wrap_under_the_first() -> None:
    old = MasterKeys.parse(MasterKeys.new_setting("old"))
    key = GuestKeyStore(old).new_key()
    master_id, wrapped = old.wrap(key.key_id, key.data_key)
    rotated = MasterKeys.parse(MasterKeys.new_setting("new") + ",old:" + _b64(old))
    assert rotated.current_id == "new"
    assert rotated.unwrap(key.key_id, master_id, wrapped) == key.data_key
    assert rotated.wrap(key.key_id, key.data_key)[0] == "new"
    with pytest.raises(MasterKeyError):
        MasterKeys.parse(MasterKeys.new_setting("new")).unwrap(key.key_id, master_id, wrapped)
    with pytest.raises(MasterKeyError):
        old.unwrap(uuid4(), master_id, wrapped)  # bound to the data key's id


@pytest.mark.parametrize(
    "setting",
    ["", "k1", "k1:notbase64!", "k1:AAAA", "bad id:" + "A" * 44, "k1:" + "A" * 44 + ",k1:" + "A" * 44],
)
def test_a_malformed_master_key_setting_is_refused(setting: str) -> None:
    with pytest.raises(MasterKeyError):
        MasterKeys.parse(setting)


def test_the_repr_of_master_keys_holds_no_key() -> None:
    setting = MasterKeys.new_setting("k1")
    assert setting.split(":")[1] not in repr(MasterKeys.parse(setting))


def _b64(keys: MasterKeys) -> str:
    return base64.b64encode(keys.keys[0][1]).decode()


def test_the_walkers_find_and_open_every_sealed_text_and_leave_clear_text() -> None:
    store = GuestKeyStore(MasterKeys.parse(MasterKeys.new_setting()))
    key = store.new_key()
    data = {"guest": {"name": seal(key.key_id, key.data_key, "Ada")}, "notes": ["clear", 3]}
    assert sealed_key_ids(data) == {key.key_id}
    assert opened(data, {key.key_id: key.data_key}) == {"guest": {"name": "Ada"}, "notes": ["clear", 3]}


async def test_the_preflight_names_a_missing_master_key_and_what_it_stops() -> None:
    class Settings(PersonalDataSettings):
        pass

    finding = await master_keys_set(Settings(pii_master_keys=""), "nothing could be sealed")()
    assert finding is not None
    assert finding.missing == "PII_MASTER_KEYS is not set: nothing could be sealed"
    assert "make pii-key" in finding.fix
    assert await master_keys_set(Settings(pii_master_keys=MasterKeys.new_setting()), "x")() is None
