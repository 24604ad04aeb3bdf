"""From a verified token's claims to the Principal it speaks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from innkeeper_contracts import Role
from innkeeper_contracts.text import first_refused

from .errors import NoRoleError, TokenRejectedError
from .principal import ROLE_PRECEDENCE, Principal


@dataclass(frozen=True)
class ClaimNames:
    """Which claims carry the role(s) and a staff member's hotels; a name is tried whole first, then
    as a dotted path (`realm_access.roles` for Keycloak), so URL-like names (Auth0) work too."""

    roles: str = "roles"
    hotels: str = "hotels"


def principal_from_claims(claims: dict[str, Any], names: ClaimNames) -> Principal:
    """The caller a verified token speaks for: the first of its roles in ROLE_PRECEDENCE; a service is
    named by its `client_id` (RFC 9068), everyone else by `sub`."""
    role = _role(_claim(claims, names.roles))
    subject = claims.get("client_id") if role == "service" and claims.get("client_id") else claims["sub"]
    if not isinstance(subject, str) or not 0 < len(subject) <= 255:
        raise TokenRejectedError("the token's subject must be a string of 1 to 255 characters")
    if first_refused(subject, multiline=False) is not None:  # it is recorded on events as text
        raise TokenRejectedError("the token's subject holds a control or format character")
    hotels = _hotels(_claim(claims, names.hotels)) if role == "staff" else frozenset()
    return Principal(subject=subject, role=role, hotels=hotels, issuer=str(claims["iss"]))


def _claim(claims: dict[str, Any], name: str) -> Any:
    if name in claims:
        return claims[name]
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _role(value: Any) -> Role:
    names = {value} if isinstance(value, str) else set(value) if isinstance(value, list) else set()
    for role in ROLE_PRECEDENCE:
        if role in names:
            return role
    raise NoRoleError("the token grants none of the roles guest, staff, admin, service")


def _hotels(value: Any) -> frozenset[UUID]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TokenRejectedError("the hotels claim must be a list of hotel ids")
    try:
        return frozenset(UUID(item) for item in value)
    except ValueError:
        raise TokenRejectedError("the hotels claim must be a list of hotel ids") from None
