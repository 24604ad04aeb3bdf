"""Operator commands: each builds the components, runs, and closes them."""

from __future__ import annotations

from . import dead_letters as letters
from .bootstrap import Components
from .replay import rebuild as run_rebuild
from .settings import Settings
from .verify import verify as run_verify


async def rebuild(settings: Settings, keep_old: bool) -> int:
    parts = await Components.build(settings)
    try:
        return await run_rebuild(parts, keep_old)
    finally:
        await parts.close()


async def verify(settings: Settings) -> int:
    parts = await Components.build(settings)
    try:
        return await run_verify(parts)
    finally:
        await parts.close()


async def dead_letters(settings: Settings, action: str, ids: list[str]) -> int:
    parts = await Components.build(settings)
    actions = {"list": letters.list_entries, "retry": letters.retry, "skip": letters.skip}
    try:
        return await actions[action](parts, ids)
    finally:
        await parts.close()
