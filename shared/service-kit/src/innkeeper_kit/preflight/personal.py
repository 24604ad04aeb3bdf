"""The master key of personal data: the services that seal or open a guest's data need PII_MASTER_KEYS
(its form is checked when the settings load; here, that it is there at all)."""

from __future__ import annotations

from functools import partial

from innkeeper_kit.personal import PersonalDataSettings

from . import Check, Finding

FIX = "set it (`make pii-key` prints one; the projector and the notifier take the command service's)"


def master_keys_set(settings: PersonalDataSettings, without_it: str) -> Check:
    """`without_it`: what the service could not do without a master key (the line says it)."""
    return partial(_finding, settings, without_it)


async def _finding(settings: PersonalDataSettings, without_it: str) -> Finding | None:
    if settings.pii_master_keys.get_secret_value():
        return None
    return Finding(f"PII_MASTER_KEYS is not set: {without_it}", FIX)
