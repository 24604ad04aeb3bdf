"""The operator's command-line tools: each builds the runtime, runs, and closes it."""

from __future__ import annotations

from . import dead_letters as letters
from .bootstrap import build_runtime
from .replay import rebuild as run_rebuild
from .settings import Settings
from .verify import verify as run_verify


async def rebuild(settings: Settings, keep_old: bool) -> int:
    runtime = await build_runtime(settings)
    try:
        return await run_rebuild(runtime, keep_old)
    finally:
        await runtime.close()


async def verify(settings: Settings) -> int:
    runtime = await build_runtime(settings)
    try:
        return await run_verify(runtime)
    finally:
        await runtime.close()


async def dead_letters(settings: Settings, action: str, ids: list[str]) -> int:
    runtime = await build_runtime(settings)
    actions = {"list": letters.list_entries, "retry": letters.retry, "skip": letters.skip}
    try:
        return await actions[action](runtime, ids)
    finally:
        await runtime.close()
