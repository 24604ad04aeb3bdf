"""Every 4xx/5xx as `application/problem+json`, in the system's one problem vocabulary: a
`CommandRejected` (a `Problem` naming the command) whose `instance` is the request's path, except what
the HTTP edge answers alike in every service (405 with `Allow`, 413, 500: the kit's problem)."""

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
from command_service.http.locations import location_of
from innkeeper_contracts import COMMANDS, CommandAccepted, CommandRejected
from innkeeper_contracts.problems import kind_for_status
from innkeeper_kit.methods import method_not_allowed
from innkeeper_kit.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS, instance_of

_HEADERS_BY_STATUS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": 'Bearer realm="innkeeper"'},
    503: {"Retry-After": str(RETRY_AFTER_SECONDS)},
}


def outcome_response(request: Request, outcome: Outcome) -> Response:
    """202 with `Location` (the query service's resource) for an accepted command, else the problem."""
    if isinstance(outcome, CommandAccepted):
        location = location_of(outcome, request.app.state.query_service_public_url)
        headers = {"Location": location} if location is not None else None
        return Response(outcome.model_dump_json(), 202, headers=headers, media_type="application/json")
    headers = _HEADERS_BY_STATUS.get(outcome.status)
    located = outcome.model_copy(update={"instance": instance_of(request.scope)})
    return Response(located.model_dump_json(), outcome.status, headers=headers, media_type=PROBLEM_JSON)


def command_name(request: Request) -> str | None:
    route = request.scope.get("route")
    return getattr(route, "name", None)


def correlation_id(request: Request) -> str | None:
    return getattr(request.state, "correlation_id", None)


def count_refusal(request: Request, rejection: CommandRejected) -> None:
    """A command refused here never reached the mediator (which counts the others): counted here, once.
    A path that is no command's (an unknown path's 404, the probes) is no command answered."""
    name = command_name(request)
    if name in COMMANDS and (runtime := getattr(request.app.state, "runtime", None)) is not None:
        runtime.metrics.refused_early(name, rejection.kind)


async def on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    errors = error.errors()
    name, cid = command_name(request), correlation_id(request)
    if is_malformed(errors):
        rejection = malformed_message("request body is not valid JSON", command=name, correlation_id=cid)
    else:
        rejection = invalid_command(field_errors(errors), command=name, correlation_id=cid)
    count_refusal(request, rejection)
    return outcome_response(request, rejection)


async def on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        return method_not_allowed(request)
    kind = kind_for_status(error.status_code)
    rejection = CommandRejected.of(
        kind,
        error.status_code,
        f"{request.method} {request.url.path}: {error.detail}",
        correlation_id=correlation_id(request),
    )
    count_refusal(request, rejection)
    response = outcome_response(request, rejection)
    if error.headers:
        response.headers.update(error.headers)
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
