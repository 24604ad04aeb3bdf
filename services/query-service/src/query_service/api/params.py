"""Query parameters shared by several routes, with their bounds (violations answer 422)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from query_service.cursor import MAX_CURSOR_LENGTH
from query_service.models import QueryProblem

CursorParam = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
]
LimitParam = Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.")]


def _header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "string"}}


ANSWER_HEADERS = {
    "X-Read-Model-Position": _header("Highest global position the projector had applied."),
    "X-Consistency": _header("`caught-up`, `stale` (the wait bound passed) or `eventual` (no token)."),
    "X-Consistency-Waited-Ms": _header("Time spent waiting for the token (only with a token)."),
    "ETag": _header("Validator of this body: send as `If-None-Match` to get a 304."),
    "Cache-Control": _header("Public briefly for the catalogue; private otherwise; no-store when stale."),
}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    200: {"headers": ANSWER_HEADERS},
    304: {"description": "Not modified: the `If-None-Match` validator still matches."},
    422: {"model": QueryProblem, "description": "A parameter or header is invalid."},
    503: {"model": QueryProblem, "description": "The read model cannot be reached."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": QueryProblem, "description": "No such document."},
    **PROBLEMS,
}
