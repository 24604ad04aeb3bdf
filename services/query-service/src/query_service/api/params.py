"""Query parameters shared by several routes, with their bounds (violations answer 422)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from innkeeper_contracts import Problem
from innkeeper_kit.problems import PROBLEM_JSON
from query_service.cursor import MAX_CURSOR_LENGTH

CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
"""What `encode_cursor` writes (unpadded base64url): anything else is refused before it is decoded."""

CursorParam = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the previous page, unchanged: it only continues the same query "
        "(same filters and sort); any other cursor is refused (422).",
        examples=["WyIxMjAwMCIsIjJhM2I0YzVkIl0_5f2c"],
    ),
]
LimitParam = Annotated[int, Query(ge=1, le=100, description="Page size, 1 to 100.", examples=[20])]


def _header(description: str, schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": schema}


_TEXT: dict[str, Any] = {"type": "string"}
ANSWER_HEADERS = {
    "X-Read-Model-Position": _header(
        "Highest global position the projector had applied.", {"type": "integer", "minimum": 0}
    ),
    "X-Consistency": _header(
        "`caught-up`, `stale` (the wait bound passed) or `eventual` (no token).",
        {"type": "string", "enum": ["caught-up", "stale", "eventual"]},
    ),
    "X-Consistency-Waited-Ms": _header(
        "Time spent waiting for the token (only with a token).", {"type": "integer", "minimum": 0}, False
    ),
    "ETag": _header("Validator of this body: send as `If-None-Match` to get a 304.", _TEXT),
    "Cache-Control": _header(
        "Public briefly for the catalogue; private otherwise; no-store when stale.", _TEXT
    ),
}
_PROBLEM = {"model": Problem, "content": {PROBLEM_JSON: {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    200: {"headers": ANSWER_HEADERS},
    304: {"description": "Not modified: the `If-None-Match` validator still matches."},
    422: {**_PROBLEM, "description": "A parameter or header is invalid (field-level errors)."},
    503: {**_PROBLEM, "description": "The read model cannot be reached."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**_PROBLEM, "description": "No such document."},
    **PROBLEMS,
}
