"""A development master key for `make run` (and the conformance harness): made once under the run
directory, readable by its owner only, and kept across restarts (a new key would make every sealed text of
the earlier runs unreadable). Production sets PII_MASTER_KEYS from a secret store instead."""

from __future__ import annotations

import os
from pathlib import Path

from .master_keys import MasterKeys

FILE_NAME = "master-keys"


def ensure_development_master_keys(directory: Path) -> str:
    """The setting kept in `directory`, made with one new key on the first call."""
    path = directory / FILE_NAME
    if path.exists():
        setting = path.read_text().strip()
        MasterKeys.parse(setting)  # a damaged file stops `make run` with the reason
        return setting
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    setting = MasterKeys.new_setting("dev1")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(setting + "\n")
    return setting
