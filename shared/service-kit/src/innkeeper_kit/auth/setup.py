"""Build the token verifier a service's settings describe (the composition roots call this)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from .claims import ClaimNames
from .jwks import JwksCache
from .verifier import TokenVerifier

if TYPE_CHECKING:  # the settings refer to this package (its algorithms), not the other way round
    from innkeeper_kit.settings import ServiceSettings

log = structlog.get_logger("innkeeper_kit.auth")


def token_verifier(settings: ServiceSettings) -> TokenVerifier | None:
    """The verifier, or None when no issuer is configured: then every request that needs a token is
    answered 401 (closed, not open), and the start says so."""
    if not settings.auth_issuer:
        log.warning("auth.no_issuer", detail="AUTH_ISSUER is not set: only anonymous routes will answer")
        return None
    keys = JwksCache(
        jwks_url=settings.auth_jwks_url,
        issuer=settings.auth_issuer,
        max_age=settings.auth_jwks_max_age_seconds,
        refetch_floor=settings.auth_jwks_refetch_seconds,
    )
    return TokenVerifier(
        keys,
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        algorithms=settings.auth_algorithm_list,
        claims=ClaimNames(roles=settings.auth_roles_claim, hotels=settings.auth_hotels_claim),
        leeway=settings.auth_leeway_seconds,
    )
