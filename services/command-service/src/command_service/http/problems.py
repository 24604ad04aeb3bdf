"""Every 4xx/5xx as `application/problem+json`: in the CommandRejected shape, except what the HTTP edge
answers alike in every service (405 with `Allow`, 413, 500: the kit's problem)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from command_service.application.rejections import (
    field_errors,
    invalid_command,
    is_malformed,
    malformed_message,
)
from command_service.application.requests import Outcome
from command_service.metrics import COMMANDS_REJECTED
from innkeeper_contracts import CommandAccepted, CommandRejected
from innkeeper_contracts.replies import ProblemType
from innkeeper_kit.methods import method_not_allowed
from innkeeper_kit.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS

_TYPES_BY_STATUS: dict[int, ProblemType] = {
    400: "malformed-message",  # a body that cannot be read (JSON nested too deep to parse, ...)
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    409: "conflict",
    503: "unavailable",
}
_HEADERS_BY_STATUS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": 'Bearer realm="innkeeper"'},
    503: {"Retry-After": str(RETRY_AFTER_SECONDS)},
}


def outcome_response(outcome: Outcome) -> Response:
    if isinstance(outcome, CommandAccepted):
        return Response(outcome.model_dump_json(), status_code=202, media_type="application/json")
    headers = _HEADERS_BY_STATUS.get(outcome.status)
    return Response(outcome.model_dump_json(), outcome.status, headers=headers, media_type=PROBLEM_JSON)


def command_name(request: Request) -> str | None:
    route = request.scope.get("route")
    return getattr(route, "name", None)


def correlation_id(request: Request) -> str | None:
    return getattr(request.state, "correlation_id", None)


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = error.errors()
    name, cid = command_name(request), correlation_id(request)
    if is_malformed(errors):
        rejection = malformed_message("request body is not valid JSON", command=name, correlation_id=cid)
    else:
        rejection = invalid_command(field_errors(errors), command=name, correlation_id=cid)
    COMMANDS_REJECTED.labels(name or "unknown", rejection.type).inc()  # refused before the pipeline
    return outcome_response(rejection)


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        return method_not_allowed(request)
    rejection = CommandRejected(
        status=error.status_code,
        type=_TYPES_BY_STATUS.get(error.status_code, "invalid-command"),
        title=str(error.detail),
        detail=f"{request.method} {request.url.path}: {error.detail}",
        correlation_id=correlation_id(request),
    )
    response = outcome_response(rejection)
    if error.headers:
        response.headers.update(error.headers)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
