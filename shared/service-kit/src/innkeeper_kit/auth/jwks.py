"""The issuer's public keys (a JWKS), fetched once, kept for a while, refetched when a token names a key
we do not know (key rotation), never more often than a floor allows (a stream of made-up `kid`s must not
turn into a stream of requests to the identity provider).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
import structlog
from jwt import PyJWK
from jwt.exceptions import PyJWTError

from .errors import KeysUnavailableError, TokenRejectedError
from .jwks_source import discover_jwks_url, fetch_jwks, usable_keys

log = structlog.get_logger("innkeeper_kit.auth")


class JwksCache:
    """Signing keys by `kid`, from `jwks_url` (https, http, or file:// in development) or, when that
    is empty, from the `jwks_uri` of the issuer's OpenID Connect discovery document."""

    def __init__(
        self,
        *,
        jwks_url: str = "",
        issuer: str = "",
        max_age: float = 300.0,
        refetch_floor: float = 10.0,
        timeout: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not jwks_url and not issuer:
            raise ValueError("a JWKS needs AUTH_JWKS_URL or AUTH_ISSUER (OpenID Connect discovery)")
        self._url, self._issuer = jwks_url, issuer
        self._max_age, self._floor, self._timeout, self._clock = max_age, refetch_floor, timeout, clock
        self._keys: dict[str, PyJWK] = {}
        self._fingerprint = b""
        self._fetched_at: float | None = None  # last successful fetch
        self._tried_at: float | None = None  # last attempt, successful or not
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self.generation = 0
        """Bumped whenever the key set changes: what was verified with the old set is checked again."""
        self.fetches = 0

    async def keep_fresh(self) -> None:
        """Refetch the set once it is older than its max age (a removed key then stops being trusted): in
        the background while the old set is still there, so no request waits for the identity provider."""
        if self._stale() and self._may_refetch() and not self._lock.locked():
            if not self._keys:
                await self._refresh(reason="max age")
            elif self._background is None or self._background.done():
                self._background = asyncio.create_task(self._refresh(reason="max age"))

    async def key(self, kid: str | None, algorithm: str) -> PyJWK:
        """The key that signed a token with this header; refetches once (within the floor) if unknown."""
        await self.keep_fresh()
        found = self._find(kid, algorithm)
        if found is None and self._may_refetch():
            await self._refresh(reason="unknown key")
            found = self._find(kid, algorithm)
        if found is None:
            if not self._keys:
                raise KeysUnavailableError("the issuer's signing keys cannot be fetched now")
            raise TokenRejectedError("the token's signing key is not trusted (unknown kid)")
        return found

    async def warm(self) -> None:
        """Fetch the keys now (at start), so the first request does not wait; failures are only logged."""
        await self._refresh(reason="start")

    def _find(self, kid: str | None, algorithm: str) -> PyJWK | None:
        if kid is not None:
            key = self._keys.get(kid)
            return key if key is not None and key.algorithm_name == algorithm else None
        # No kid: acceptable only when exactly one key could have signed it.
        candidates = [key for key in self._keys.values() if key.algorithm_name == algorithm]
        return candidates[0] if len(candidates) == 1 else None

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._max_age

    def _may_refetch(self) -> bool:
        return self._tried_at is None or self._clock() - self._tried_at >= self._floor

    async def _refresh(self, *, reason: str) -> None:
        async with self._lock:
            if reason != "start" and not self._may_refetch():
                return  # another request fetched (or tried) while this one waited for the lock
            self._tried_at = self._clock()
            try:
                if not self._url:
                    self._url = await discover_jwks_url(self._issuer, self._timeout)
                keys, fingerprint = usable_keys(await fetch_jwks(self._url, self._timeout))
            except (httpx.HTTPError, OSError, ValueError, PyJWTError) as error:
                log.warning("auth.jwks_unavailable", reason=reason, error=str(error)[:300])
                return
            self.fetches += 1
            self._fetched_at = self._clock()
            if fingerprint != self._fingerprint:
                self._fingerprint = fingerprint
                self.generation += 1
                log.info("auth.jwks_loaded", reason=reason, kids=sorted(keys))
            self._keys = keys
