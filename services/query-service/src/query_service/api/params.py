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

PROBLEMS: dict[int | str, dict[str, Any]] = {
    422: {"model": QueryProblem, "description": "A parameter or header is invalid."},
    503: {"model": QueryProblem, "description": "The read model cannot be reached."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": QueryProblem, "description": "No such document."},
    **PROBLEMS,
}
