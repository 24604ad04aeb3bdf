"""The projector's settings, from plain environment variables; an invalid value stops the start."""

from __future__ import annotations

from pydantic import Field

from innkeeper_kit.personal import PersonalDataSettings
from innkeeper_kit.settings import AttemptCount, ServiceSettings, ShardCount
from innkeeper_kit.settings import load_settings as _load

from .projection.storable import MONGODB_MAX_DOCUMENT_BYTES


class Settings(ServiceSettings, PersonalDataSettings):
    """Everything the projector reads from its environment (`PII_MASTER_KEYS` unwraps the guests' data
    keys, to show their personal data in the read documents)."""

    port: int = Field(default=8003, ge=1, le=65535)
    postgres_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    mongodb_url: str = "mongodb://127.0.0.1:27017/?retryWrites=false&directConnection=true"
    mongodb_database: str = "innkeeper"

    projector_shards: ShardCount = 4
    projector_batch_size: int = Field(default=200, ge=1, le=5000, description="Events per bulk write.")
    projector_batch_window_ms: int = Field(default=20, ge=0, le=5000, description="Wait to fill a batch.")
    projector_max_attempts: AttemptCount = Field(default=3, description="Tries before parking.")
    projector_gap_wait_seconds: float = Field(
        default=10.0, ge=0, le=3600, description="How long a gap the event log does not heal holds its shard."
    )
    projector_max_document_bytes: int = Field(
        default=MONGODB_MAX_DOCUMENT_BYTES,
        ge=4096,
        le=MONGODB_MAX_DOCUMENT_BYTES,
        description="Largest read document (BSON); an event that would write a larger one is parked.",
    )
    projector_balance_shards: bool = Field(
        default=True, description="Release shards beyond ceil(shards / live replicas) (see balance.py)."
    )
    projector_reconcile_grace_seconds: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="How long events the store lacks may still be on their way before they are re-applied.",
    )
    projector_rebuild_chunk: int = Field(default=1000, ge=1, le=50_000)
    projector_drop_grace_seconds: float = Field(default=10.0, ge=0, description="Before dropping old gen.")
    projector_parked_retention_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        description="After this long a parked entry loses what may hold personal data (README, Retention).",
    )


def load_settings() -> Settings:
    """Read the settings or exit (code 2) with one line that names the bad variable."""
    return _load(Settings, "projector")
