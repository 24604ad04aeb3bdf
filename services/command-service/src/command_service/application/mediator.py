"""A small in-process mediator (the MediatR idea): one handler per command, wrapped in behaviours.

A behaviour sees every request on its way in and its outcome on the way out, and may answer
without calling the next step (validation, idempotency). The last step calls the handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol

from command_service.application.ports import Committed, UnitOfWork
from command_service.application.requests import CommandRequest, Outcome
from innkeeper_contracts import Contract

Next = Callable[[], Awaitable[Outcome]]
Handler = Callable[[Any, UnitOfWork], Awaitable[Committed]]
"""Handles one command type inside a unit of work and returns where its last event went."""


class Behaviour(Protocol):
    """A step of the pipeline around every handler."""

    async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
        """Do something before and/or after `call_next()`, or answer without it."""
        ...


class Mediator:
    """Sends each command through the behaviours (outermost first) to its one handler."""

    def __init__(self, handlers: Mapping[type[Contract], Handler], behaviours: Sequence[Behaviour]) -> None:
        self._handlers = dict(handlers)
        self._behaviours = list(behaviours)

    async def send(self, request: CommandRequest) -> Outcome:
        handler = self._handlers.get(type(request.command))
        if handler is None:
            raise LookupError(f"no handler for {request.name}")
        call: Next = partial(_call_handler, handler, request)
        for behaviour in reversed(self._behaviours):
            call = partial(behaviour, request, call)
        return await call()


async def _call_handler(handler: Handler, request: CommandRequest) -> Outcome:
    if request.uow is None:
        raise RuntimeError("handlers run inside a unit of work: add UnitOfWorkBehaviour to the pipeline")
    return request.accepted_as(await handler(request.command, request.uow))
