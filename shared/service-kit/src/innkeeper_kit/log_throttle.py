"""One log line per interval for what repeats during an outage (a 503 per request while a database is
away): the first line at once, then at most one per interval, saying how many were held back."""

from __future__ import annotations

import time
from collections.abc import Callable


class LogThrottle:
    """Lets one line through per `interval` seconds and counts the lines it held back."""

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval, self._clock = interval, clock
        self._next_at: float | None = None
        self._held = 0

    def admit(self) -> int | None:
        """None: hold this line back. Otherwise log it, with the returned count of lines held back since
        the last one."""
        now = self._clock()
        if self._next_at is not None and now < self._next_at:
            self._held += 1
            return None
        held, self._held = self._held, 0
        self._next_at = now + self._interval
        return held
