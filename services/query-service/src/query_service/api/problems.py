"""Every failure as `application/problem+json` (a QueryProblem): 4xx for bad input, never a 5xx."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from pymongo.errors import PyMongoError
from starlette.exceptions import HTTPException

from innkeeper_contracts import FieldError
from innkeeper_kit.problems import PROBLEM_JSON
from query_service.errors import QueryError, ReadModelUnavailableError
from query_service.models import QueryProblem

from .rendering import freshness_headers

log = structlog.get_logger()


def problem(request: Request, status: int, kind: str, title: str, detail: str, **extra: object) -> Response:
    body = QueryProblem.model_validate(
        {
            "status": status,
            "type": kind,
            "title": title,
            "detail": detail,
            "correlation_id": structlog.contextvars.get_contextvars().get("correlation_id"),
            **extra,
        }
    )
    headers = freshness_headers(request) | {"Cache-Control": "no-store"}
    return Response(body.model_dump_json(), status, headers=headers, media_type=PROBLEM_JSON)


async def on_query_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, QueryError)
    errors = getattr(error, "errors", [])
    return problem(request, error.status, error.type, error.title, str(error), errors=errors)


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = [
        FieldError(
            loc=[part for part in e.get("loc", ()) if isinstance(part, str | int)],
            msg=e["msg"],
            type=e["type"],
        )
        for e in error.errors()
    ]
    detail = "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors)[:1000]
    return problem(request, 422, "invalid-query", "Invalid query", detail, errors=errors)


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    kind = {401: "unauthenticated", 403: "forbidden", 404: "not-found"}.get(
        error.status_code, "invalid-query"
    )
    return problem(
        request, error.status_code, kind, str(error.detail), f"{request.method} {request.url.path}"
    )


async def on_mongo_error(request: Request, error: Exception) -> Response:
    log.warning("read model unavailable", error=repr(error))
    unavailable = ReadModelUnavailableError("the read model (MongoDB) cannot be reached; retry shortly")
    response = await on_query_error(request, unavailable)
    response.headers["Retry-After"] = "1"
    return response


async def on_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error", path=request.url.path)
    detail = "the query failed unexpectedly; quote the correlation id when reporting it"
    response = problem(request, 500, "internal", "Internal error", detail)
    # Answered by the outermost middleware, outside the one that echoes the correlation id.
    if correlation := structlog.contextvars.get_contextvars().get("correlation_id"):
        response.headers["X-Correlation-Id"] = correlation
    return response


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into problem answers."""
    app.add_exception_handler(QueryError, on_query_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(PyMongoError, on_mongo_error)
    app.add_exception_handler(Exception, on_unexpected)
