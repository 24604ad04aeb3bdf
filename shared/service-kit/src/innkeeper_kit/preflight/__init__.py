"""Preflight: before a service (or `make run`, `make test`) starts anything, check what it needs and stop
with one line that names what is missing and the command that fixes it, instead of a traceback later.

A check is an async callable returning None (present) or a `Finding`: "<what is missing> — <the fix>".
`unreachable` findings are the ones that may heal by waiting (the server is down or starting); a
service that rides out such an outage by design (the command service answers 503 until PostgreSQL is
back) passes `rides_out(...)` so only what waiting cannot fix stops it: refused credentials, an unknown
database or vhost, a missing plugin or schema, a port held by another process."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from innkeeper_kit import failpoints

EXIT_CODE = 4
"""A service (or `make run`) that stops on a missing prerequisite exits with this code (2: invalid
settings, 3: the app failed to start after the preflight passed)."""
TIMEOUT_SECONDS = 2.5
"""Each check's bound: a prerequisite that needs longer to answer counts as unreachable."""


@dataclass(frozen=True)
class Finding:
    """What is missing and the command that fixes it; `unreachable`: may heal by waiting."""

    missing: str
    fix: str
    unreachable: bool = False

    @property
    def line(self) -> str:
        return f"{self.missing} — {self.fix}"


Check = Callable[[], Awaitable[Finding | None]]


def rides_out(check: Check) -> Check:
    """`check`, except that an unreachable server passes: for a service built to wait for it."""

    async def tolerant() -> Finding | None:
        finding = await check()
        return None if finding is None or finding.unreachable else finding

    return tolerant


async def first_missing(checks: Iterable[Check]) -> Finding | None:
    """Run the checks in order (reachable before migrated); the first finding, or None."""
    # The drivers log a dropped connection with its traceback (aiormq does, on a refused exchange
    # type): the finding says it in one line, so nothing else may reach stderr meanwhile.
    logging.disable(logging.CRITICAL)
    try:
        for check in checks:
            if (finding := await check()) is not None:
                return finding
        return None
    finally:
        logging.disable(logging.NOTSET)


def check_or_exit(service: str, checks: Iterable[Check]) -> None:
    """Run the checks; on the first finding print `<service>: <line>` to stderr and exit `EXIT_CODE`.
    A malformed `INNKEEPER_FAILPOINTS` is such a finding too: refused before serving, not at a reach."""
    try:
        failpoints.parse(os.environ.get(failpoints.ENV, ""))
    except ValueError as error:
        print(f"{service}: {error} — fix or unset {failpoints.ENV}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_CODE) from None
    if (finding := asyncio.run(first_missing(checks))) is not None:
        print(f"{service}: {finding.line}", file=sys.stderr, flush=True)
        raise SystemExit(EXIT_CODE)
