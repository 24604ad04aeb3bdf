"""The token verifier against a JWKS file: what it accepts, every attack it refuses, its key cache."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import uuid4

import jwt
import pytest
from testkit.forgery import alg_none, hs256_with_public_key, tampered

from innkeeper_kit.auth import KeysUnavailableError, NoRoleError, TokenRejectedError
from innkeeper_kit.auth.claims import ClaimNames
from innkeeper_kit.auth.dev import DEV_AUDIENCE, DEV_ISSUER, DevelopmentIssuer, new_key, write_jwks
from innkeeper_kit.auth.jwks import JwksCache
from innkeeper_kit.auth.verifier import TokenVerifier


class Clock:
    def __init__(self) -> None:
        self.offset = 0.0

    def wall(self) -> float:
        return time.time() + self.offset

    def monotonic(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def issuer(tmp_path: Path) -> DevelopmentIssuer:
    return DevelopmentIssuer.ensure(tmp_path / "auth")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_verifier(issuer: DevelopmentIssuer, clock: Clock) -> Callable[..., TokenVerifier]:
    def build(refetch_floor: float = 0.0, claims: ClaimNames | None = None) -> TokenVerifier:
        keys = JwksCache(jwks_url=issuer.jwks_url, refetch_floor=refetch_floor, clock=clock.monotonic)
        return TokenVerifier(
            keys, issuer=DEV_ISSUER, audience=DEV_AUDIENCE, claims=claims, clock=clock.wall, leeway=5
        )

    return build


async def test_an_honest_token_names_its_caller(
    issuer: DevelopmentIssuer, make_verifier: Callable[..., TokenVerifier]
) -> None:
    hotel = uuid4()
    principal = await make_verifier().principal(issuer.token("staff", "sam", hotels=[hotel]))
    assert (principal.subject, principal.role, principal.hotels, principal.issuer) == (
        "sam",
        "staff",
        frozenset({hotel}),
        DEV_ISSUER,
    )


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda i: i.token("admin", "a", exp=int(time.time()) - 3600), "expired"),
        (lambda i: i.token("admin", "a", nbf=int(time.time()) + 3600), "not valid yet"),
        (lambda i: i.token("admin", "a", iss="https://evil.example"), "issuer"),
        (lambda i: i.token("admin", "a", aud="someone-else"), "(aud)"),
        (alg_none, "alg is not accepted"),
        (hs256_with_public_key, "alg is not accepted"),
        (tampered, "signature"),
        (lambda i: DevelopmentIssuer(new_key()).token("admin", "a"), "not trusted"),
        (lambda i: "not-a-jwt", "JWS"),
        (lambda i: i.token("admin", "a", sub=None), "sub"),
        (lambda i: i.token("admin", "a\u202eb"), "control or format character"),
        (lambda i: i.token("staff", "s", hotels=["not-a-uuid"]), "hotels claim"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "alg-none",
        "hs256-with-public-key",
        "tampered-payload",
        "unknown-kid",
        "garbage",
        "no-subject",
        "bidi-subject",
        "bad-hotels",
    ],
)
async def test_every_attack_is_refused_with_its_reason(
    issuer: DevelopmentIssuer,
    make_verifier: Callable[..., TokenVerifier],
    forge: Callable[[DevelopmentIssuer], str],
    reason: str,
) -> None:
    with pytest.raises(TokenRejectedError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        await make_verifier().principal(forge(issuer))


async def test_a_token_without_an_innkeeper_role_is_known_but_may_do_nothing(
    issuer: DevelopmentIssuer, make_verifier: Callable[..., TokenVerifier]
) -> None:
    with pytest.raises(NoRoleError):
        await make_verifier().principal(issuer.token("guest", "g", roles=["viewer"]))


async def test_the_first_role_in_precedence_wins_and_a_service_is_named_by_client_id(
    issuer: DevelopmentIssuer, make_verifier: Callable[..., TokenVerifier]
) -> None:
    verifier = make_verifier()
    both = await verifier.principal(issuer.token("guest", "g-7", roles=["guest", "admin"]))
    assert both.role == "admin"
    service = await verifier.principal(issuer.token("service", "uuid-of-account", client_id="portal"))
    assert (service.role, service.subject) == ("service", "portal")


async def test_role_claims_may_be_nested_or_url_named(
    issuer: DevelopmentIssuer, make_verifier: Callable[..., TokenVerifier]
) -> None:
    keycloak = make_verifier(claims=ClaimNames(roles="realm_access.roles"))
    token = issuer.token("guest", "g-1", roles=None, realm_access={"roles": ["staff"]})
    assert (await keycloak.principal(token)).role == "staff"
    auth0 = make_verifier(claims=ClaimNames(roles="https://innkeeper.dev/roles"))
    token = issuer.token("guest", "g-1", roles=None, **{"https://innkeeper.dev/roles": ["admin"]})
    assert (await auth0.principal(token)).role == "admin"


async def test_a_token_is_verified_once_then_remembered_until_it_expires(
    issuer: DevelopmentIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = JwksCache(jwks_url=issuer.jwks_url)
    verifier = TokenVerifier(keys, issuer=DEV_ISSUER, audience=DEV_AUDIENCE, leeway=0)
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    expires = int(time.time()) + 2
    token = issuer.token("guest", "g-1", exp=expires)
    for _ in range(3):
        assert (await verifier.principal(token)).subject == "g-1"
    assert len(decoded) == 1
    await asyncio.sleep(max(0.0, expires + 0.05 - time.time()))  # past `exp`, no leeway
    with pytest.raises(TokenRejectedError, match="expired"):
        await verifier.principal(token)


async def test_a_rotated_key_is_trusted_without_restart_and_unknown_kids_refetch_at_most_per_floor(
    issuer: DevelopmentIssuer, make_verifier: Callable[..., TokenVerifier], clock: Clock, tmp_path: Path
) -> None:
    verifier = make_verifier(refetch_floor=10)
    assert (await verifier.principal(issuer.token("admin", "a"))).role == "admin"
    fetches = verifier._keys.fetches
    stranger = DevelopmentIssuer(new_key())
    for _ in range(5):  # a stream of made-up kids costs one fetch per floor, not one per token
        with pytest.raises(TokenRejectedError):
            await verifier.principal(stranger.token("admin", "a"))
    assert verifier._keys.fetches - fetches <= 1

    rotated = DevelopmentIssuer(new_key(), tmp_path / "auth")
    write_jwks(tmp_path / "auth" / "jwks.json", [issuer.public_jwk, rotated.public_jwk])
    clock.offset = 11  # past the floor
    assert (await verifier.principal(rotated.token("admin", "b"))).subject == "b"


async def test_no_reachable_keys_is_unavailable_not_a_bad_token(tmp_path: Path) -> None:
    keys = JwksCache(jwks_url=(tmp_path / "missing.json").as_uri())
    verifier = TokenVerifier(keys, issuer=DEV_ISSUER, audience=DEV_AUDIENCE)
    with pytest.raises(KeysUnavailableError):
        await verifier.principal(DevelopmentIssuer(new_key()).token("admin", "a"))


def test_symmetric_algorithms_cannot_be_configured() -> None:
    with pytest.raises(ValueError, match="asymmetric"):
        TokenVerifier(JwksCache(issuer="x"), issuer="x", audience="y", algorithms=["HS256"])
