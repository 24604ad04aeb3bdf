"""Every failure as `application/problem+json`, in the system's one problem vocabulary (a `Problem` whose
`instance` is the request's path): 4xx for bad input, 503 when the read store is out of reach, except what the
HTTP edge answers alike in every service (405 with `Allow`, 413, and an unexpected error's 500:
`innkeeper_kit.methods`, `.body_limit`, `.unexpected`)."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from innkeeper_contracts import FieldError, Problem, ProblemKind
from innkeeper_contracts.problems import kind_for_status
from innkeeper_kit.log_throttle import LogThrottle
from innkeeper_kit.methods import method_not_allowed
from innkeeper_kit.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS, instance_of
from query_service.errors import QueryError, ReadModelUnavailableError

from .rendering import freshness_headers

log = structlog.get_logger()


def problem(
    request: Request,
    status: int,
    kind: ProblemKind,
    detail: str,
    errors: list[FieldError] | None = None,
) -> Response:
    body = Problem.of(
        kind,
        status,
        detail,
        instance=instance_of(request.scope),
        correlation_id=structlog.contextvars.get_contextvars().get("correlation_id"),
        errors=errors or [],
    )
    headers = freshness_headers(request) | {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Response(body.model_dump_json(), status, headers=headers, media_type=PROBLEM_JSON)


async def on_query_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, QueryError)
    errors: list[FieldError] = getattr(error, "errors", [])
    return problem(request, error.status, error.kind, str(error), errors)


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
    return problem(request, 422, "invalid-input", detail, errors)


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        return method_not_allowed(request)
    kind = kind_for_status(error.status_code)
    detail = f"{request.method} {request.url.path}: {error.detail}"
    return problem(request, error.status_code, kind, detail)


async def on_unreachable(request: Request, error: Exception) -> Response:
    # While MongoDB is away every read answers 503: one line per 10 s says so, not one per request.
    if (held_back := request.app.state.unreachable_lines.admit()) is not None:
        log.warning("read model unavailable", error=repr(error), similar_lines_held_back=held_back)
    unavailable = ReadModelUnavailableError("the read model (MongoDB) cannot be reached; retry shortly")
    return await on_query_error(request, unavailable)


def install(app: FastAPI, unreachable: tuple[type[Exception], ...]) -> None:
    """Register the handlers that turn exceptions into problem answers; `unreachable`: the read store's
    errors that mean it cannot be reached (503)."""
    app.state.unreachable_lines = LogThrottle()
    app.add_exception_handler(QueryError, on_query_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    for error in unreachable:
        app.add_exception_handler(error, on_unreachable)
