"""The real clock."""

from datetime import UTC, datetime


class SystemClock:
    """Reads the system time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
