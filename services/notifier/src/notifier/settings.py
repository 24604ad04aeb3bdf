"""The notifier's settings, from plain environment variables; an invalid value stops the start."""

from __future__ import annotations

import base64
import binascii
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from innkeeper_contracts.events import EVENT_TYPES
from innkeeper_kit.personal import PersonalDataSettings
from innkeeper_kit.settings import AttemptCount, ServiceSettings, ShardCount
from innkeeper_kit.settings import load_settings as _load

SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")
SECRET_PREFIX = "whsec_"


class WebhookSubscriber(BaseModel):
    """A system that receives events by HTTP POST: its name (in records and metrics), URL, signing secret
    (`whsec_` + base64 of 24 to 64 random bytes, as Standard Webhooks has it) and the event types it wants."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    url: AnyHttpUrl
    secret: SecretStr
    events: Annotated[list[str], Field(min_length=1)]

    @field_validator("secret")
    @classmethod
    def _a_signing_key(cls, secret: SecretStr) -> SecretStr:
        value = secret.get_secret_value()
        try:
            key = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
        except binascii.Error:
            key = b""
        if not value.startswith(SECRET_PREFIX) or not 24 <= len(key) <= 64:
            raise ValueError("a webhook secret is 'whsec_' followed by base64 of 24 to 64 random bytes")
        return secret

    @field_validator("events")
    @classmethod
    def _known_events(cls, events: list[str]) -> list[str]:
        if unknown := sorted(set(events) - set(EVENT_TYPES)):
            raise ValueError(f"unknown event types {unknown}; known: {sorted(EVENT_TYPES)}")
        return events

    def signing_key(self) -> bytes:
        return base64.b64decode(self.secret.get_secret_value().removeprefix(SECRET_PREFIX))


class Settings(ServiceSettings, PersonalDataSettings):
    """Everything the notifier reads from its environment (`PII_MASTER_KEYS` opens the guests' keys)."""

    port: int = Field(default=8004, ge=1, le=65535)
    postgres_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    smtp_url: str = Field(
        default="smtp://127.0.0.1:1025",
        description="smtp:// (STARTTLS when offered), smtp+starttls:// (required) or smtps://.",
    )
    mail_from: str = Field(default="Innkeeper <no-reply@innkeeper.example>", description="The From address.")
    webhook_subscribers: list[WebhookSubscriber] = Field(default_factory=list, description="JSON list.")

    notifier_shards: ShardCount = 4
    notifier_concurrency: int = Field(default=16, ge=1, le=500, description="Sends in flight per process.")
    notifier_max_attempts: AttemptCount = Field(default=10, description="Tries before a dead letter.")
    notifier_retry_base_seconds: float = Field(default=2.0, gt=0, le=3600, description="First backoff.")
    notifier_retry_max_seconds: float = Field(default=600.0, gt=0, le=86_400, description="Longest backoff.")
    notifier_send_timeout_seconds: float = Field(default=15.0, gt=0, le=300, description="One send.")
    notifier_lease_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="A claimed delivery is taken again after (a crash)."
    )
    notifier_poll_seconds: float = Field(default=1.0, gt=0, le=60, description="Look for due retries.")
    notifier_retention_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        description="Delivered records kept this long (replays stay deduplicated).",
    )
    notifier_failed_retention_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        description="Dead-lettered deliveries (holding their event, so a guest's data) kept this long.",
    )

    @field_validator("smtp_url")
    @classmethod
    def _an_smtp_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            schemes = " | ".join(f"{scheme}://" for scheme in SMTP_SCHEMES)
            raise ValueError(f"an SMTP URL is {schemes}[user:password@]host[:port]")
        return url

    @field_validator("mail_from")
    @classmethod
    def _an_address(cls, value: str) -> str:
        _, address = parseaddr(value)
        if "@" not in address:
            raise ValueError("MAIL_FROM needs an address, e.g. 'Innkeeper <no-reply@example.com>'")
        return value

    @model_validator(mode="after")
    def _lease_outlives_a_send(self) -> Self:
        if self.notifier_lease_seconds < 2 * self.notifier_send_timeout_seconds:
            raise ValueError("NOTIFIER_LEASE_SECONDS must be at least twice NOTIFIER_SEND_TIMEOUT_SECONDS")
        names = [subscriber.name for subscriber in self.webhook_subscribers]
        if len(names) != len(set(names)):
            raise ValueError("WEBHOOK_SUBSCRIBERS: every subscriber needs its own name")
        return self

    @property
    def mail_domain(self) -> str:
        """The From address's domain: the right-hand side of every `Message-ID`."""
        return Address(addr_spec=parseaddr(self.mail_from)[1]).domain


def load_settings() -> Settings:
    """Read the settings or exit (code 2) with one line that names the bad variable."""
    return _load(Settings, "notifier")
