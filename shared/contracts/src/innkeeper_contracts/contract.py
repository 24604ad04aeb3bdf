"""The bases of every wire model: strict for what Innkeeper reads from others (commands), tolerant for
what others read from Innkeeper at any age (events, replies, problems, documents)."""

from pydantic import BaseModel, ConfigDict


class Contract(BaseModel):
    """Base of every wire model: immutable, and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TolerantContract(Contract):
    """Base of a contract read by code older or newer than its writer: a field the reader does not know
    is ignored, so adding an optional field breaks no reader (docs/evolution.md). Every field it knows
    keeps its rules."""

    model_config = ConfigDict(frozen=True, extra="ignore")
