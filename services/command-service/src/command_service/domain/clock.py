"""Time as a port, so tests decide what "now" is."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Protocol


class Clock(Protocol):
    """Tells the current time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


def today(clock: Clock) -> date:
    """The current date in UTC: nights before it are the past."""
    return clock.now().astimezone(UTC).date()
