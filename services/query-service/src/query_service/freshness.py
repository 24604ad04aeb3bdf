"""How fresh an answer is, and what waiting for a consistency token may cost."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from .settings import Settings

Consistency = Literal["caught-up", "stale", "eventual"]


@dataclass(frozen=True)
class Freshness:
    """How fresh an answer is: token outcome and the projector's position (headers of every answer)."""

    consistency: Consistency
    position: int
    waited_seconds: float = 0.0


@dataclass(frozen=True)
class WaitBounds:
    """What a token may cost: how long one read waits, how many reads wait at once, how far ahead of
    the projector a token may be and still be waited for."""

    max_wait: float = 2.0
    max_waiters: int = 1000
    max_positions_ahead: int = 100_000


def wait_bounds(settings: Settings) -> WaitBounds:
    return WaitBounds(
        settings.consistency_wait_seconds,
        settings.consistency_max_waiters,
        settings.consistency_max_positions_ahead,
    )


class PositionReader(Protocol):
    """Reads the projector's highest applied global position."""

    async def projector_position(self) -> int:
        """The highest global position any projector shard has applied."""
