"""What checking a bearer token costs a service per request: the services' own verifier, in this process,
against the JWKS file the services trust. Two cases: a token seen for the first time (signature and
claims checked) and a token seen before (remembered until it expires: what a client that keeps its token
for an hour costs on every later request). No network call is made per request in either case.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from bench.stats import percentile
from bench.system import System
from innkeeper_kit.auth.dev import DEV_AUDIENCE, DevelopmentIssuer
from innkeeper_kit.auth.jwks import JwksCache
from innkeeper_kit.auth.verifier import TokenVerifier

SAMPLES = 1000


def token_checks(system: System, samples: int = SAMPLES) -> dict[str, Any]:
    assert system.issuer is not None
    return asyncio.run(_measure(system.issuer, samples))


async def _measure(issuer: DevelopmentIssuer, samples: int) -> dict[str, Any]:
    verifier = TokenVerifier(JwksCache(jwks_url=issuer.jwks_url), issuer=issuer.name, audience=DEV_AUDIENCE)
    await verifier.warm()
    tokens = [issuer.token("service", f"bench-{index}") for index in range(samples)]
    first = [await _timed(verifier, token) for token in tokens]
    remembered = [await _timed(verifier, tokens[0]) for _ in range(samples)]
    result = {name: {"p50_us": percentile(values, 0.5), "p99_us": percentile(values, 0.99)}
              for name, values in (("first_sight", first), ("remembered", remembered))}  # fmt: skip
    print(f"    token check: first sight p50 {result['first_sight']['p50_us']:.0f} us, "
          f"remembered p50 {result['remembered']['p50_us']:.1f} us", flush=True)  # fmt: skip
    return result


async def _timed(verifier: TokenVerifier, token: str) -> float:
    started = time.perf_counter()
    await verifier.principal(token)
    return (time.perf_counter() - started) * 1e6
