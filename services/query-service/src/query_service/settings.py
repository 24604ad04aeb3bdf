"""Typed settings of the query service, read from plain environment variables."""

from __future__ import annotations

from pydantic import Field

from innkeeper_kit.settings import ServiceSettings
from innkeeper_kit.settings import load_settings as _load


class Settings(ServiceSettings):
    """Everything the query service can be told from its environment."""

    port: int = Field(default=8002, ge=1, le=65535)
    mongodb_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongodb_database: str = Field(default="innkeeper", min_length=1)
    mongodb_timeout_ms: int = Field(default=2000, ge=50, le=60_000, description="Server selection bound.")
    consistency_wait_seconds: float = Field(default=2.0, ge=0, le=30)
    consistency_max_waiters: int = Field(default=1000, ge=0, le=100_000, description="Else stale at once.")
    consistency_max_positions_ahead: int = Field(default=100_000, ge=0, description="Else stale at once.")
    body_cache_bytes: int = Field(
        default=32 * 1_048_576, ge=0, le=1 << 32, description="LRU of answer bodies."
    )
    generation_cache_seconds: float = Field(default=1.0, ge=0, le=10)
    status_cache_seconds: float = Field(default=1.0, ge=0, le=10)
    cache_max_age_seconds: int = Field(default=2, ge=0, le=3600, description="Public catalogue pages.")
    max_availability_nights: int = Field(default=92, ge=1, le=366)
    cors_origins: str = Field(default="", description="Comma-separated origins; `*` for any; empty: off.")
    ensure_indexes: bool = Field(default=True, description="Create the indexes reads need, per generation.")

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def load_settings() -> Settings:
    """Settings from the environment; exits (code 2) with one line naming each invalid variable."""
    return _load(Settings, "query-service")
