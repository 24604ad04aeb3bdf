"""The projector's settings, from plain environment variables; an invalid value stops the start."""

from __future__ import annotations

import sys
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_log_format() -> Literal["json", "console"]:
    return "console" if sys.stderr.isatty() else "json"


class Settings(BaseSettings):
    """Everything the projector reads from its environment."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    port: int = Field(default=8003, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(default_factory=_default_log_format)
    postgres_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    mongodb_url: str = "mongodb://127.0.0.1:27017/?retryWrites=false&directConnection=true"
    mongodb_database: str = "innkeeper"

    projector_shards: int = Field(default=4, ge=1, le=64, description="Number of shard queues.")
    projector_batch_size: int = Field(default=200, ge=1, le=5000, description="Events per bulk write.")
    projector_batch_window_ms: int = Field(default=20, ge=0, le=5000, description="Wait to fill a batch.")
    projector_max_attempts: int = Field(default=3, ge=1, le=100, description="Tries before parking.")
    projector_rebuild_chunk: int = Field(default=1000, ge=1, le=50_000)
    projector_drop_grace_seconds: float = Field(default=10.0, ge=0, description="Before dropping old gen.")
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="Graceful stop bound.")


def load_settings() -> Settings:
    """Read the settings or exit (code 2) with one line that names the bad variable."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        print(f"projector: invalid settings: {problems}", file=sys.stderr)
        raise SystemExit(2) from None
