"""Settings of the command service, from plain environment variables (invalid values fail at start)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError, model_validator

from innkeeper_contracts import COMMANDS, Role
from innkeeper_kit.personal import PersonalDataSettings
from innkeeper_kit.settings import ServiceSettings
from innkeeper_kit.settings import settings_error as _settings_error


class AmqpSender(BaseModel):
    """What a broker user may be: a role and, for staff, the hotels they work for."""

    role: Role
    hotels: list[UUID] = Field(default_factory=list)


class Settings(ServiceSettings, PersonalDataSettings):
    """Everything the composition root needs; see the service README for the table."""

    port: int = Field(default=8001, ge=1, le=65535)
    postgres_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    postgres_pool_size: int = Field(default=10, ge=1, le=200)
    postgres_connect_timeout: float = Field(default=5.0, gt=0)
    postgres_acquire_timeout: float = Field(default=10.0, gt=0, description="Seconds; then 503.")
    postgres_statement_timeout: float = Field(default=10.0, ge=0, description="Seconds; 0: no limit.")
    postgres_lock_timeout: float = Field(default=5.0, ge=0, description="Seconds; 0: no limit.")
    migrate_on_start: bool = True
    relay_enabled: bool = True
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_interval: float = Field(default=0.5, gt=0, le=60)
    amqp_intake_enabled: bool = True
    amqp_prefetch: int = Field(default=16, ge=1, le=10_000)
    amqp_max_command_bytes: int = Field(default=65_536, ge=1_024, le=16 * 1_048_576)
    amqp_max_header_bytes: int = Field(
        default=16_384, ge=1_024, le=65_536, description="A message's headers, AMQP-encoded; else 431."
    )
    amqp_dead_letter_max_length: int = Field(default=10_000, ge=1)
    amqp_dead_letter_max_bytes: int = Field(default=256 * 1_048_576, ge=1_048_576)
    amqp_dead_letter_ttl_seconds: int = Field(default=14 * 86_400, ge=1, le=2**32 // 1_000)
    amqp_senders: dict[str, Role | AmqpSender] = Field(
        default_factory=dict, description='Broker user -> role: `{"partner-portal": "service"}`.'
    )
    amqp_reply_to_prefixes: str = Field(
        default="innkeeper.replies.",
        description="A sender's own reply queues: <prefix><user>[.<anything>] (comma-separated prefixes).",
    )
    service_grants: dict[str, list[str] | Literal["*"]] = Field(
        default_factory=dict, description='Service subject -> commands: `{"partner-portal": ["BookStay"]}`.'
    )
    idempotency_retention_seconds: int = Field(default=86_400, ge=1, le=30 * 86_400)
    cors_origins: str = Field(default="", description="Comma-separated origins; `*` for any; empty: off.")
    query_service_public_url: str = Field(
        default="",
        pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$",
        description="Where clients reach the query service; empty: a 202's `Location` is a relative path.",
    )
    high_value_threshold: Decimal = Field(default=Decimal("1000.00"), ge=0)
    guest_key_cache_size: int = Field(
        default=10_000,
        ge=0,
        le=10_000_000,
        description="Guests whose data key a replica keeps in memory (0: none): a known guest's booking "
        "reads no key.",
    )

    @property
    def postgres_session_bounds(self) -> dict[str, str]:
        """Server settings of every pooled connection, in PostgreSQL's milliseconds (0: no bound)."""
        return {
            "statement_timeout": str(round(self.postgres_statement_timeout * 1000)),
            "lock_timeout": str(round(self.postgres_lock_timeout * 1000)),
        }

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def reply_to_prefix_list(self) -> list[str]:
        return [prefix.strip() for prefix in self.amqp_reply_to_prefixes.split(",") if prefix.strip()]

    @property
    def senders(self) -> dict[str, AmqpSender]:
        return {
            user: sender if isinstance(sender, AmqpSender) else AmqpSender(role=sender)
            for user, sender in self.amqp_senders.items()
        }

    @model_validator(mode="after")
    def _senders_are_plain_names(self) -> Self:
        # A dot would let user `pms` claim the reply queues of user `pms.bergen`.
        if dotted := [user for user in self.amqp_senders if "." in user or not user]:
            raise ValueError(f"AMQP_SENDERS: broker user names must be non-empty, without dots: {dotted}")
        return self

    @model_validator(mode="after")
    def _grants_name_commands(self) -> Self:
        for subject, grant in self.service_grants.items():
            unknown = set() if grant == "*" else set(grant) - set(COMMANDS)
            if unknown:
                raise ValueError(f"SERVICE_GRANTS[{subject!r}] names unknown commands {sorted(unknown)}")
        return self


def settings_error(error: ValidationError) -> str:
    """One line naming every bad variable and why, for the operator (not a traceback)."""
    return _settings_error(error, "command-service")
