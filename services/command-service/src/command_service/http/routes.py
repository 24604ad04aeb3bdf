"""The command endpoints, each answered 202, built from each command's HTTP declaration (`http` on the
contract: method, path, body, docs); the probes and metrics are in `ops`.

Each route's name is its command's (metrics and logs say `BookStay`); its operation id is that name in
camelCase (`bookStay`, `innkeeper_kit.edge_openapi.operation_id`). The 202 names what was made or changed
(`booking_id`, `hotel_id`) and points at it in the query service (`Location`)."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Request
from fastapi.openapi.models import Example
from fastapi.responses import Response

from command_service.application.ports import ServiceUnavailableError
from command_service.application.rejections import unavailable
from command_service.application.requests import CommandRequest
from command_service.http.examples import accepted, rejected
from command_service.http.locations import LOCATION_HEADER
from command_service.http.problems import correlation_id, outcome_response
from command_service.runtime import Runtime
from innkeeper_contracts import COMMANDS, CommandAccepted, Contract, Problem
from innkeeper_contracts.audiences import who_may_send
from innkeeper_contracts.commands import Command
from innkeeper_contracts.http_binding import HttpBinding, PathParameter
from innkeeper_kit.auth.middleware import principal_of
from innkeeper_kit.edge_openapi import operation_id
from innkeeper_kit.identifiers import ID_MAX_LENGTH, ID_PATTERN
from innkeeper_kit.problems import PROBLEM_JSON

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=ID_PATTERN,
        max_length=ID_MAX_LENGTH,
        description="Makes a retry safe: a retry with the same key and body is not applied twice. A value "
        "outside the pattern is refused (422 naming the header).",
    ),
]

_problem = {"model": Problem, "content": {PROBLEM_JSON: {}}}
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {**_problem, "description": "Body is not JSON (or cannot be read)"},
    404: {**_problem, "description": "Unknown hotel, room type or booking"},
    409: {**_problem, "description": "Business rule broken or concurrent change"},
    422: {
        **_problem,
        "description": "Invalid command or `Idempotency-Key` (field-level errors), or the key reused",
    },
    503: {
        **_problem,
        "description": "PostgreSQL unreachable or too slow (a statement or lock wait over its bound, no "
        "pooled connection free in time); retry with the same `Idempotency-Key`",
    },
}


def answers(command: str, binding: HttpBinding) -> dict[int | str, dict[str, Any]]:
    """The 202 (with its `Location`, but for a command about a guest) and a 409 of `command`, with
    examples."""
    booking = binding.path.startswith("/bookings")
    about_a_guest = binding.path.startswith("/guests")
    return {
        202: {
            "description": "Accepted: the events are committed and will be published",
            **({} if about_a_guest else {"headers": {"Location": LOCATION_HEADER}}),
            "content": {"application/json": {"example": accepted(command, booking=booking)}},
        },
        409: {
            **COMMAND_RESPONSES[409],
            "content": {PROBLEM_JSON: {"example": rejected(command, binding.example_path())}},
        },
    }


async def send(request: Request, command: Contract, key: str | None) -> Response:
    # The runtime straight from the app state: a dependency costs a resolution pass per request.
    runtime: Runtime = request.app.state.runtime
    cid = correlation_id(request) or ""
    principal = principal_of(request.scope)
    try:
        outcome = await runtime.send(CommandRequest(command, cid, idempotency_key=key, principal=principal))
    except ServiceUnavailableError:
        outcome = unavailable(command=type(command).__name__, correlation_id=cid)
    return outcome_response(request, outcome)


def _path_parameter(name: str, parameter: PathParameter) -> inspect.Parameter:
    kind = str if parameter.pattern else UUID  # a pattern for a code; an id is a UUID
    described = Path(
        pattern=parameter.pattern, description=parameter.description, examples=[parameter.example]
    )
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[kind, described])


def endpoint(model: type[Command]) -> Callable[..., Awaitable[Response]]:
    """The endpoint of a command: FastAPI reads the path parameters, the body (with its examples) and the
    `Idempotency-Key` from its signature; the command is the body with the path's ids filled in (only
    those when the command has no body: `HttpBinding.bodiless`)."""
    binding = model.http
    examples = {
        name: Example(summary=e["summary"], value=e["value"]) for name, e in binding.docs.examples.items()
    }
    body: Any = Annotated[binding.body or model, Body(openapi_examples=examples)]
    parameters = [_path_parameter(name, parameter) for name, parameter in binding.parameters.items()]
    fields = {name: parameter.field for name, parameter in binding.parameters.items()}

    async def accept(
        request: Request, body: Contract | None = None, key: str | None = None, **path: Any
    ) -> Response:
        if not fields and body is not None:
            return await send(request, body, key)
        ids = {fields[name]: value for name, value in path.items()}
        return await send(request, model(**ids, **(dict(body) if body is not None else {})), key)

    keyword = inspect.Parameter.KEYWORD_ONLY
    body_parameter = [] if binding.bodiless else [inspect.Parameter("body", keyword, annotation=body)]
    accept.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *parameters,
            *body_parameter,
            inspect.Parameter("request", keyword, annotation=Request),
            inspect.Parameter("key", keyword, annotation=IdempotencyKey, default=None),
        ]
    )
    return accept


_SERVICE_NOTES = {
    "EraseGuestData": "**What follows:** the answer comes once the key is deleted and every booking of the "
    "guest has recorded `GuestDataErased` (read documents show `[erased]` once the projector applied them: "
    "send the `consistency_token` to read them). A guest without bookings (or without a key left) is "
    "answered 202 too: erasing again is harmless, and each booking records `GuestDataErased` again; with "
    "no booking nothing is logged, `aggregate_id` is the nil UUID and the token names the log's last "
    "event. Afterwards the bookings stay: they can be cancelled (refunds as usual; the guest's mail about "
    "it cannot be sent, the notifier finds the key gone), and a new booking by the guest makes a new key "
    "(new data, given anew).",
}
"""What the command service adds to a command's description (the contract's docstring): its answers."""

commands = APIRouter(responses=COMMAND_RESPONSES, generate_unique_id_function=operation_id)
for name, model in COMMANDS.items():
    binding = model.http
    commands.add_api_route(
        binding.path,
        endpoint(model),
        methods=[binding.method],
        name=name,
        summary=binding.docs.summary,
        description="\n\n".join(
            filter(
                None,
                (
                    inspect.getdoc(model),
                    f"**Who may call:** {who_may_send(name, model.audience)}",
                    _SERVICE_NOTES.get(name),
                ),
            )
        ),
        tags=[binding.docs.tag],
        status_code=202,
        response_model=CommandAccepted,
        responses=answers(name, binding),
    )
