"""Bearer JWTs (the RFC 9068 profile) checked with PyJWT: signature by a trusted key, an asymmetric
algorithm, `iss`, `aud`, `exp`, `nbf`; then the claims become a `Principal` (`claims`).

A token verified once is remembered until it expires (bounded, checked against the clock on every hit,
forgotten when the key set changes): a client sends the same token for an hour, and checking its
signature each time would cost more than the rest of a read.
"""

from __future__ import annotations

import base64
import time
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from jwt.exceptions import PyJWTError

from .algorithms import ACCESS_TOKEN_TYPES, ASYMMETRIC
from .claims import ClaimNames, principal_from_claims
from .errors import TokenRejectedError
from .jwks import JwksCache
from .principal import Principal

MAX_TOKEN_BYTES = 8192


@dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal
    not_before: float
    expires: float
    generation: int


class TokenVerifier:
    """Turns a bearer token into the Principal it speaks for, or raises why not."""

    def __init__(
        self,
        keys: JwksCache,
        *,
        issuer: str,
        audience: str,
        algorithms: Collection[str] = ("RS256", "ES256", "EdDSA"),
        claims: ClaimNames | None = None,
        leeway: float = 30.0,
        remember: int = 10_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not set(algorithms) <= ASYMMETRIC:
            raise ValueError(
                f"only asymmetric algorithms may verify tokens, not {set(algorithms) - ASYMMETRIC}"
            )
        self._keys, self._issuer, self._audience = keys, issuer, audience
        self._algorithms, self._claims = list(algorithms), claims or ClaimNames()
        self._leeway, self._remember, self._clock = leeway, remember, clock
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    async def warm(self) -> None:
        """Fetch the issuer's keys now (at start); a failure is logged and retried on demand."""
        await self._keys.warm()

    async def principal(self, token: str) -> Principal:
        await self._keys.keep_fresh()
        known = self._verified.get(token)
        if known is not None and known.generation == self._keys.generation:
            if known.not_before - self._leeway <= self._clock() < known.expires + self._leeway:
                return known.principal
            del self._verified[token]  # expired now: the full check below says so precisely
        claims = await self._checked_claims(token)
        principal = principal_from_claims(claims, self._claims)
        self._verified[token] = _Verified(
            principal, float(claims.get("nbf", 0)), float(claims["exp"]), self._keys.generation
        )
        if len(self._verified) > self._remember:
            self._verified.popitem(last=False)
        return principal

    async def _checked_claims(self, token: str) -> dict[str, Any]:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenRejectedError(f"the token is longer than {MAX_TOKEN_BYTES} bytes")
        header = _header(token)
        algorithm = header.get("alg")
        # The reasons never quote the token: its header is the caller's text, and ends up in a header.
        if algorithm not in self._algorithms:
            raise TokenRejectedError(
                f"the token's alg is not accepted here (only {', '.join(self._algorithms)})"
            )
        if str(header.get("typ", "jwt")).lower() not in ACCESS_TOKEN_TYPES:
            raise TokenRejectedError("the token's typ is not that of an access token (at+jwt or JWT)")
        kid = header.get("kid")
        key = await self._keys.key(kid if isinstance(kid, str) else None, str(algorithm))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except PyJWTError as error:
            raise TokenRejectedError(_reason(error)) from None
        return claims


def _header(token: str) -> dict[str, Any]:
    """The protected header, read only to choose the key: `jwt.decode` checks it again, with the rest
    (PyJWT's own unverified-header read costs ~40 µs of character-by-character checks per token)."""
    segment = token.partition(".")[0]
    try:
        header = orjson.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        raise TokenRejectedError("the token is not a JWS compact serialization") from None
    if not isinstance(header, dict) or token.count(".") != 2:
        raise TokenRejectedError("the token is not a JWS compact serialization")
    return header


def _reason(error: PyJWTError) -> str:
    match error:
        case jwt.ExpiredSignatureError():
            return "the token has expired"
        case jwt.ImmatureSignatureError():
            return "the token is not valid yet (nbf)"
        case jwt.InvalidIssuerError():
            return "the token was issued by an issuer this service does not trust"
        case jwt.InvalidAudienceError():
            return "the token is not meant for this service (aud)"
        case jwt.MissingRequiredClaimError():
            return f"the token lacks a required claim: {error.claim}"
        case jwt.InvalidSignatureError():
            return "the token's signature does not verify"
    return f"the token is invalid: {type(error).__name__}"
