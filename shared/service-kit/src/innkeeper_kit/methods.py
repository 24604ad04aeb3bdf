"""The router's refusals as problems: 405 answers that say which methods the path has (`Allow`, RFC 9110
§15.5.6), and, for an app with no problem vocabulary of its own, 404.

Starlette's router raises 405 with the methods of the first route whose path matched; a path served by
several routes (GET here, POST there) would be under-reported. The methods are gathered here from every
route of the app whose path matches the request's.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from innkeeper_kit.problems import instance_of, problem_response


def allowed_methods(routes: Iterable[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves on the request's path, sorted."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def method_not_allowed(request: Request) -> Response:
    """The 405 problem for this request, with its `Allow` header."""
    allowed = allowed_methods(request.app.router.routes, request.scope)
    listed = ", ".join(allowed)
    detail = f"{request.method} {request.url.path}: this path answers {listed or 'no method'}"
    headers = {"Allow": listed}
    return problem_response(405, "method-not-allowed", detail, headers, instance=instance_of(request.scope))


def not_found(request: Request) -> Response:
    """The 404 problem of a path the app does not have."""
    detail = f"{request.method} {request.url.path}: no such path"
    return problem_response(404, "not-found", detail, instance=instance_of(request.scope))


async def _on_not_found(request: Request, error: Exception) -> Response:
    return not_found(request)


async def _on_method_not_allowed(request: Request, error: Exception) -> Response:
    return method_not_allowed(request)


def install_routing_problems(app: Starlette) -> None:
    """The router's 404 and 405 as the kit's problems, for an app whose routes raise no HTTP errors of
    their own (the projector's); the command and query services map the router's errors themselves."""
    app.add_exception_handler(404, _on_not_found)
    app.add_exception_handler(405, _on_method_not_allowed)
