"""The outcome of one invariant after a scenario: its name, whether it held, and one line with numbers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    name: str
    ok: bool
    detail: str  # one line with numbers, e.g. "2,412 accepted, 0 missing, 0 twice"


def first(examples: list[str], limit: int = 2) -> str:
    """A few examples to name in a detail line, or nothing."""
    return f" (e.g. {', '.join(examples[:limit])})" if examples else ""
