"""`python -m <service>` for the services that serve by default and carry operator tools (projector,
notifier): the settings, the preflight and the logging first, then the app until SIGTERM or one tool."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from innkeeper_kit.preflight import Check, check_or_exit
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
    *,
    service: str = "service",
    prerequisites: Callable[[S, str], list[Check]] | None = None,
) -> int:
    """`serve` (or no command) serves `create_app`'s app on the settings' port and returns 0; any other
    `arguments.command` is an operator tool: `run_tool`'s exit code. Before either (and before the logging),
    `prerequisites(settings, command)` are checked: a missing one stops the process with one line
    `<service>: <what is missing> — <the fix>` and exit code 4 (`preflight.check_or_exit`).
    Import the web stack and the tools inside the two callables, so a tool does not load what serving
    needs, nor the reverse."""
    settings = load_settings()
    command = arguments.command or "serve"
    if prerequisites is not None:
        check_or_exit(service, prerequisites(settings, command))
    configure_logging(settings)
    if command == "serve":
        from innkeeper_kit.serving import serve  # uvicorn only when serving

        serve(create_app(settings), settings, settings.port)
        return 0
    return asyncio.run(run_tool(settings, arguments))
