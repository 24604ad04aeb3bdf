"""The HTTP edge of authentication: who sent this request, before any route (or body) is looked at.

Credentials problems are answered here, the same way on every service: 401 with `WWW-Authenticate`
(RFC 6750) for a missing or unacceptable token on a route that needs one, and for any token that fails
its checks even where none is needed (a client must learn that its token is bad); 403 for a valid token
that grants no Innkeeper role, or a caller other than an admin or a service on an operator's route
(`/metrics`, `/status`); 503 when the issuer's keys cannot be fetched. What each role may do with the
product's own routes is decided further in, by the service's own rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from innkeeper_kit.problems import send_problem

from .errors import KeysUnavailableError, NoRoleError, TokenRejectedError
from .principal import Principal
from .verifier import TokenVerifier

log = structlog.get_logger("innkeeper_kit.auth")
AUTHORIZATION = b"authorization"
REALM = "innkeeper"
OPERATOR_ROLES = frozenset({"admin", "service"})
DOCUMENTATION = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")

Access = Literal["anyone", "caller", "operator"]
"""Who may use a route: anyone (anonymous too), any identified caller, or an admin or service."""


def path_rules(*, anyone: Iterable[str], operator: Iterable[str] = ()) -> Callable[[str, str], Access]:
    """Rules by path pattern (regular expressions matched whole): `anyone` for GET and HEAD only,
    `operator` for any method, every other route needs a caller. The API documentation is public."""
    open_paths = re.compile(
        "|".join(f"(?:{pattern})" for pattern in (*anyone, *map(re.escape, DOCUMENTATION)))
    )
    operator_paths = re.compile("|".join(f"(?:{pattern})" for pattern in operator) or "(?!)")

    def access(method: str, path: str) -> Access:
        if operator_paths.fullmatch(path):
            return "operator"
        if method in ("GET", "HEAD") and open_paths.fullmatch(path):
            return "anyone"
        return "caller"

    return access


def principal_of(scope: Scope) -> Principal | None:
    """The request's caller (None: anonymous), as the middleware left it."""
    found: Principal | None = scope.get("state", {}).get("principal")
    return found


class BearerAuthMiddleware:
    """Puts the caller's Principal (or None) in `scope["state"]["principal"]`; `access(method, path)`
    says who may use each route (`path_rules`)."""

    def __init__(
        self, app: ASGIApp, verifier: TokenVerifier | None, access: Callable[[str, str], Access]
    ) -> None:
        self.app, self.verifier, self.access = app, verifier, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS":  # CORS preflights carry no token
            await self.app(scope, receive, send)
            return
        header = next((value for name, value in scope["headers"] if name == AUTHORIZATION), None)
        # The path as the router sees it (without a root_path), so the rules judge the route that answers.
        access = self.access(scope["method"], _route_path(scope))
        try:
            principal = await self._caller(header, access == "anyone")
            if access == "operator" and (principal is None or principal.role not in OPERATOR_ROLES):
                raise _RefusedError(403, "forbidden", "this route is for operators: an admin or a service")
        except _RefusedError as refusal:
            await send_problem(send, scope, *refusal.args)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    async def _caller(self, header: bytes | None, public: bool) -> Principal | None:
        if header is None:
            if public:
                return None
            raise _unauthenticated("this resource needs a bearer token (Authorization: Bearer ...)")
        scheme, _, token = header.decode("latin-1").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthenticated("the Authorization header must read `Bearer <token>`", "invalid_request")
        if self.verifier is None:
            raise _unauthenticated("this service trusts no token issuer (AUTH_ISSUER is not set)")
        try:
            return await self.verifier.principal(token.strip())
        except TokenRejectedError as error:
            log.info("auth.token_rejected", reason=str(error))
            raise _unauthenticated(str(error), "invalid_token") from None
        except NoRoleError as error:
            if public:
                return None
            raise _RefusedError(403, "forbidden", str(error)) from None
        except KeysUnavailableError as error:
            log.warning("auth.keys_unavailable")
            if public:  # the catalogue stays up while the identity provider is down
                return None
            raise _RefusedError(503, "unavailable", str(error), {"Retry-After": "5"}) from None


class _RefusedError(Exception):
    """An answer the middleware gives instead of the route: send_problem's arguments."""


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


_NOT_DESCRIPTION = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")
"""What RFC 6750 forbids in an error_description (it allows %x20-21 / %x23-5B / %x5D-7E)."""


def _unauthenticated(detail: str, error: str | None = None) -> _RefusedError:
    challenge = f'Bearer realm="{REALM}"'
    if error is not None:
        challenge += f', error="{error}", error_description="{_NOT_DESCRIPTION.sub("", detail)[:200]}"'
    return _RefusedError(401, "unauthenticated", detail, {"WWW-Authenticate": challenge})
