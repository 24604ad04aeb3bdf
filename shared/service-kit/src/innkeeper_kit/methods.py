"""405 answers that say which methods the path has (`Allow`, RFC 9110 §15.5.6).

Starlette's router raises 405 with the methods of the first route whose path matched; a path served by
several routes (GET here, POST there) would be under-reported. The methods are gathered here from every
route of the app whose path matches the request's.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from innkeeper_kit.problems import problem_response


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
    return problem_response(405, "method-not-allowed", "Method not allowed", detail, {"Allow": listed})
