"""What every query route gets: the runtime, a bounded read-your-writes wait, pages bound to their query,
and the one shape of a route that reads documents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.types import DecoratedCallable
from pydantic import BaseModel

from innkeeper_contracts import ConsistencyToken, Contract
from query_service.api.examples import with_example
from query_service.api.rendering import FRESHNESS_SCOPE_KEY, request_header
from query_service.body_cache import BodyCache
from query_service.consistency import (
    MAX_TOKEN_LENGTH,
    TOKEN_HEADER,
    ConsistencyGate,
    Freshness,
    OwnDocument,
    parse_token,
)
from query_service.cursor import Position, decode_cursor, encode_cursor, fingerprint
from query_service.metrics import Metrics
from query_service.read_model import Page, ReadModel, StoredDocument
from query_service.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """What the composition root builds for one app (at `app.state.runtime`) and its routes use."""

    settings: Settings
    read_model: ReadModel
    consistency_gate: ConsistencyGate
    metrics: Metrics
    body_cache: BodyCache


class ReadContext:
    """One request's view: call `fresh()` after validating parameters, before reading documents."""

    def __init__(self, request: Request, runtime: Runtime, token: ConsistencyToken | None) -> None:
        self.request, self.runtime, self.token = request, runtime, token
        self.read_model, self.body_cache = runtime.read_model, runtime.body_cache

    async def fresh(self) -> Freshness:
        """Wait (bounded) for the token's write, then note how fresh the answer is for its headers."""
        return self._note(await self.runtime.consistency_gate.freshness(self.token))

    async def document(self, kind: OwnDocument, aggregate_id: UUID) -> StoredDocument | None:
        """The page of one aggregate (None: no such document), read when the token's write is in it:
        `fresh()` and the read in one, waiting for the document's own version when the token names it."""
        freshness, found = await self.runtime.consistency_gate.document(self.token, kind, aggregate_id)
        self._note(freshness)
        return found

    def _note(self, freshness: Freshness) -> Freshness:
        self.request.scope[FRESHNESS_SCOPE_KEY] = freshness
        if freshness.consistency == "stale":
            self.runtime.metrics.stale_answers.inc()
        return freshness

    async def page(
        self,
        model: type[Contract],
        query: dict[str, Any],
        cursor: str | None,
        read: Callable[[Position | None], Awaitable[Page]],
    ) -> bytes:
        """The page body of a list: the cursor checked against `query` before any wait, then `read`."""
        query_id = fingerprint(query)
        after = decode_cursor(cursor, query_id) if cursor is not None else None
        await self.fresh()
        found = await read(after)
        next_cursor = encode_cursor(found.next, query_id) if found.next is not None else None
        return self.body_cache.page(model, found.documents, next_cursor)


async def runtime(request: Request) -> Runtime:
    # async and plain: a sync dependency would run in the thread pool on every request.
    found: Runtime = request.app.state.runtime
    return found


_TOKEN_NAME = TOKEN_HEADER.lower().encode()


def read_context(request: Request) -> ReadContext:
    """The request's view, with its consistency token (422 when malformed); first thing in a route.

    The header is read here rather than by a FastAPI `Header` dependency: FastAPI solving that
    dependency was 18 % of the instructions of a hotel read in the app. `TOKEN_DOC` documents it.
    """
    header = request_header(request.scope, _TOKEN_NAME)
    token = parse_token(header) if header is not None else None
    return ReadContext(request, request.app.state.runtime, token)


TOKEN_PATTERN = r"^[1-9][0-9]{0,18}\.[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\.[1-9][0-9]{0,9}$"
"""`ConsistencyToken.encode`'s form, `<global position>.<aggregate id>.<version>`, for the OpenAPI
(a unit test holds it to what `ConsistencyToken.decode` accepts)."""
_TOKEN_DESCRIPTION = (
    "The `consistency_token` of a command answer, unchanged: the answer waits (bounded) until that write "
    "is readable. A malformed token is refused (422 naming the header)."
)
TOKEN_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": TOKEN_HEADER,
            "in": "header",
            "required": False,
            "schema": {
                "type": "string",
                "pattern": TOKEN_PATTERN,
                "maxLength": MAX_TOKEN_LENGTH,
                "title": TOKEN_HEADER,
            },
            "description": _TOKEN_DESCRIPTION,
        }
    ]
}
"""`openapi_extra` of every route that calls `read_context`: the header and the form it must have."""


def read_route(
    router: APIRouter,
    path: str,
    summary: str,
    answer: type[BaseModel],
    responses: dict[int | str, dict[str, Any]],
    example: BaseModel,
    **extra: Any,
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """`router.get` for a route that reads documents: its answer model with `example`, and the token."""
    return router.get(
        path,
        summary=summary,
        response_model=answer,
        responses=with_example(responses, example),
        openapi_extra=TOKEN_DOC,
        **extra,
    )


RuntimeDep = Annotated[Runtime, Depends(runtime)]
