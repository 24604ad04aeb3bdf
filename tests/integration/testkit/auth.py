"""Identity for the tests: one development issuer per test process, trusted by every service the tests
start (`auth_env`, with the master key of personal data), and bearer headers for each role. The broker
user the tests connect as (`guest`) is a service granted every command, as `make run` sets it up for
newcomers."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from innkeeper_contracts import Role
from innkeeper_kit.auth.dev import DevelopmentIssuer
from innkeeper_kit.personal import MasterKeys


@cache
def issuer() -> DevelopmentIssuer:
    return DevelopmentIssuer.ensure(Path(tempfile.mkdtemp(prefix="innkeeper-auth-")))


def auth_env(amqp_url: str = "amqp://guest@/") -> dict[str, str]:
    """Settings that make a service trust the test issuer and take commands from the test's broker user."""
    sender = amqp_user(amqp_url)
    return {
        **issuer().settings(),
        "AMQP_SENDERS": f'{{"{sender}": "service"}}',
        "SERVICE_GRANTS": f'{{"{sender}": "*"}}',
        "PII_MASTER_KEYS": pii_master_keys(),
    }


def auth_settings(amqp_url: str = "amqp://guest@/") -> dict[str, Any]:
    """`auth_env` as keyword arguments of a Settings model built in the test's own process."""
    sender = amqp_user(amqp_url)
    values: dict[str, Any] = {key.lower(): value for key, value in issuer().settings().items()}
    return {
        **values,
        "amqp_senders": {sender: "service"},
        "service_grants": {sender: "*"},
        "pii_master_keys": pii_master_keys(),
    }


@cache
def pii_master_keys() -> str:
    """One master key per test process, shared by every service the tests start (as `make run` does)."""
    return MasterKeys.new_setting("test")


def bearer(role: Role, subject: str | None = None, hotels: Iterable[UUID | str] = ()) -> dict[str, str]:
    """An Authorization header for a caller in `role` (subject defaults to the role's name)."""
    return {"Authorization": f"Bearer {issuer().token(role, subject or role, hotels=hotels)}"}


def admin() -> dict[str, str]:
    """The header most tests send: an admin may do and read everything."""
    return bearer("admin", "test-admin")


def operator() -> dict[str, str]:
    """For /metrics and /status: a service (a scraper's client-credentials token)."""
    return bearer("service", "test-scraper")


def amqp_user(amqp_url: str) -> str:
    """The broker user of the URL: what a test sender puts in `user_id`."""
    return urlsplit(amqp_url).username or "guest"
