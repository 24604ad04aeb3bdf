"""What every query route gets: the read model and a bounded read-your-writes wait."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from pymongo import AsyncMongoClient

from innkeeper_contracts import ConsistencyToken
from query_service.api.rendering import FRESHNESS_SCOPE_KEY, request_header
from query_service.bodies import DocumentBodies
from query_service.consistency import (
    MAX_TOKEN_LENGTH,
    TOKEN_HEADER,
    ConsistencyGate,
    Freshness,
    parse_token,
)
from query_service.metrics import Metrics
from query_service.readmodel import Document, ReadModel
from query_service.settings import Settings


@dataclass(frozen=True)
class Services:
    """The composition root's products that routes use (one set per app)."""

    settings: Settings
    client: AsyncMongoClient[Document]
    read_model: ReadModel
    gate: ConsistencyGate
    metrics: Metrics
    bodies: DocumentBodies


class ReadContext:
    """One request's view: call `fresh()` after validating parameters, before reading documents."""

    def __init__(self, request: Request, services: Services, token: ConsistencyToken | None) -> None:
        self.request, self.services, self.token = request, services, token

    @property
    def read_model(self) -> ReadModel:
        return self.services.read_model

    @property
    def bodies(self) -> DocumentBodies:
        return self.services.bodies

    async def fresh(self) -> Freshness:
        """Wait (bounded) for the token's write, then note how fresh the answer is for its headers."""
        freshness = await self.services.gate.freshness(self.token)
        self.request.scope[FRESHNESS_SCOPE_KEY] = freshness
        if freshness.consistency == "stale":
            self.services.metrics.stale_answers.inc()
        return freshness


async def services(request: Request) -> Services:
    # async and plain: a sync dependency would run in the thread pool on every request.
    found: Services = request.app.state.services
    return found


_TOKEN_NAME = TOKEN_HEADER.lower().encode()


def read_context(request: Request) -> ReadContext:
    """The request's view, with its consistency token (422 when malformed); first thing in a route.

    The header is read here rather than by a FastAPI `Header` dependency: FastAPI solving that
    dependency was 18 % of the instructions of a hotel read in the app. `TOKEN_DOC` documents it.
    """
    header = request_header(request.scope, _TOKEN_NAME)
    token = parse_token(header) if header is not None else None
    return ReadContext(request, request.app.state.services, token)


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

ServicesDep = Annotated[Services, Depends(services)]
