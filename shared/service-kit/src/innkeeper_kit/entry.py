"""`python -m <service>` for the services that serve by default and carry operator tools (projector,
notifier): the settings and the logging first, then the app until SIGTERM or one tool."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from innkeeper_kit.settings import ServiceSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

S = TypeVar("S", bound=ServiceSettings)


def serve_or_run_tool(
    arguments: argparse.Namespace,
    load_settings: Callable[[], S],
    configure_logging: Callable[[S], None],
    create_app: Callable[[S], FastAPI],
    run_tool: Callable[[S, argparse.Namespace], Coroutine[Any, Any, int]],
) -> int:
    """`serve` (or no command) serves `create_app`'s app on the settings' port and returns 0; any other
    `arguments.command` is an operator tool: `run_tool`'s exit code. Import the web stack and the tools
    inside the two callables, so a tool does not load what serving needs, nor the reverse."""
    settings = load_settings()
    configure_logging(settings)
    if arguments.command in (None, "serve"):
        from innkeeper_kit.serving import serve  # uvicorn only when serving

        serve(create_app(settings), settings, settings.port)
        return 0
    return asyncio.run(run_tool(settings, arguments))
