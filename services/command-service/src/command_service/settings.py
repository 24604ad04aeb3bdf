"""Settings of the command service, from plain environment variables (invalid values fail at start)."""

from __future__ import annotations

import sys
from decimal import Decimal
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_log_format() -> Literal["json", "console"]:
    return "console" if sys.stderr.isatty() else "json"


class Settings(BaseSettings):
    """Everything the composition root needs; see the service README for the table."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    port: int = Field(default=8001, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(default_factory=_default_log_format)
    postgres_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    postgres_pool_size: int = Field(default=10, ge=1, le=200)
    postgres_connect_timeout: float = Field(default=5.0, gt=0)
    migrate_on_start: bool = True
    relay_enabled: bool = True
    relay_batch_size: int = Field(default=500, ge=1, le=10_000)
    relay_poll_interval: float = Field(default=0.5, gt=0, le=60)
    amqp_intake_enabled: bool = True
    amqp_prefetch: int = Field(default=16, ge=1, le=10_000)
    cors_origins: str = Field(default="", description="Comma-separated origins; `*` for any; empty: off.")
    high_value_threshold: Decimal = Field(default=Decimal("1000.00"), ge=0)
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def settings_error(error: ValidationError) -> str:
    """One line naming every bad variable and why, for the operator (not a traceback)."""
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
    return f"command-service: invalid settings: {problems}"
