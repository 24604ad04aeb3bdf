"""Typed settings of the query service, read from plain environment variables."""

from __future__ import annotations

import sys
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_log_format() -> Literal["json", "console"]:
    return "console" if sys.stderr.isatty() else "json"


class Settings(BaseSettings):
    """Everything the query service can be told from its environment."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    port: int = Field(default=8002, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = Field(default_factory=_default_log_format)
    mongodb_url: str = "mongodb://127.0.0.1:27017/?directConnection=true"
    mongodb_database: str = Field(default="innkeeper", min_length=1)
    mongodb_timeout_ms: int = Field(default=2000, ge=50, le=60_000, description="Server selection bound.")
    consistency_wait_seconds: float = Field(default=2.0, ge=0, le=30)
    generation_cache_seconds: float = Field(default=1.0, ge=0, le=10)
    status_cache_seconds: float = Field(default=1.0, ge=0, le=10)
    cache_max_age_seconds: int = Field(default=2, ge=0, le=3600, description="Public catalogue pages.")
    max_availability_nights: int = Field(default=92, ge=1, le=366)
    cors_origins: str = Field(default="", description="Comma-separated origins; `*` for any; empty: off.")
    ensure_indexes: bool = Field(default=True, description="Create the indexes reads need, per generation.")
    shutdown_timeout_seconds: float = Field(default=10.0, gt=0, le=300, description="Graceful stop bound.")

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


def load_settings() -> Settings:
    """Settings from the environment; exits (code 2) with one line naming each invalid variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors())
        print(f"query-service: invalid settings: {problems}", file=sys.stderr)
        raise SystemExit(2) from None
