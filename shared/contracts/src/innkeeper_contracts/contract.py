"""The base of every wire model."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """Base of every wire model: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")
