"""Why a caller is not let in: a small hierarchy the HTTP edge maps to 401, 403 or 503."""

from __future__ import annotations


class AuthError(Exception):
    """The request's credentials cannot be accepted."""


class TokenRejectedError(AuthError):
    """The bearer token is missing, malformed, expired, not ours or not signed by a trusted key (401)."""


class NoRoleError(AuthError):
    """The token is valid but grants none of Innkeeper's roles (403)."""


class KeysUnavailableError(AuthError):
    """The issuer's keys cannot be fetched, so no token can be checked now (503, retry)."""
