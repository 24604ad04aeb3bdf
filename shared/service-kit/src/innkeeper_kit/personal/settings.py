"""The setting every service that seals or opens personal data reads: `PII_MASTER_KEYS`."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from .master_keys import MasterKeys


class PersonalDataSettings(BaseSettings):
    """Mixed into the Settings of the command service, the projector and the notifier."""

    pii_master_keys: SecretStr = Field(
        default=SecretStr(""),
        description="`<id>:<base64 32 bytes>[,...]`, the current key first; wraps the guests' data keys. "
        "Required: `make pii-key` prints a new one.",
    )

    @field_validator("pii_master_keys")
    @classmethod
    def _well_formed_when_set(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value():
            MasterKeys.parse(value.get_secret_value())  # a malformed setting stops the service at start
        return value

    @property
    def master_keys(self) -> MasterKeys:
        """The master keys (MasterKeyError when none is set)."""
        return MasterKeys.parse(self.pii_master_keys.get_secret_value())
