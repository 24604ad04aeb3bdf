"""Who is asking: bearer JWTs checked against a JWKS, turned into a `Principal` with one role."""

from .errors import AuthError, KeysUnavailableError, NoRoleError, TokenRejectedError
from .principal import Principal

__all__ = ["AuthError", "KeysUnavailableError", "NoRoleError", "Principal", "TokenRejectedError"]
