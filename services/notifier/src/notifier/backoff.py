"""When to try a temporary failure again: exponential and capped, each delay drawn between half and all
of its step (so deliveries that failed together do not come back together), never before a receiver's
`Retry-After` (up to a day: a receiver cannot park a delivery for ever)."""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_RETRY_AFTER_SECONDS = 86_400.0


@dataclass(frozen=True)
class Backoff:
    base_seconds: float
    max_seconds: float

    def delay(
        self, attempts: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds before attempt `attempts + 1`, after `attempts` failed ones."""
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        jittered = (rng or random).uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            return max(jittered, min(retry_after, MAX_RETRY_AFTER_SECONDS))
        return jittered
