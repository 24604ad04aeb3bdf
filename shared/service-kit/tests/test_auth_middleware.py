"""The bearer middleware on a small app: who gets through to which route, and how refusals read."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from testkit.forgery import unsigned

from innkeeper_kit.auth.dev import DEV_AUDIENCE, DEV_ISSUER, DevelopmentIssuer
from innkeeper_kit.auth.jwks import JwksCache
from innkeeper_kit.auth.middleware import BearerAuthMiddleware, path_rules, principal_of
from innkeeper_kit.auth.openapi import document_bearer_auth
from innkeeper_kit.auth.verifier import TokenVerifier

ACCESS = path_rules(anyone=[r"/open", r"/open/[^/]+"], operator=["/metrics"])


def app_with(verifier: TokenVerifier | None) -> FastAPI:
    app = FastAPI()

    @app.get("/open/{item}")
    @app.get("/private")
    @app.get("/metrics")
    async def who(request: Request) -> dict[str, str | None]:
        principal = principal_of(request.scope)
        return {"role": principal.role if principal else None}

    document_bearer_auth(app, ACCESS)
    app.add_middleware(BearerAuthMiddleware, verifier=verifier, access=ACCESS)
    return app


@pytest.fixture
def issuer(tmp_path: Path) -> DevelopmentIssuer:
    return DevelopmentIssuer.ensure(tmp_path / "auth")


def client(issuer: DevelopmentIssuer, jwks_url: str | None = None) -> httpx.AsyncClient:
    verifier = TokenVerifier(
        JwksCache(jwks_url=jwks_url or issuer.jwks_url), issuer=DEV_ISSUER, audience=DEV_AUDIENCE
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app_with(verifier)), base_url="http://test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_anonymous_callers_reach_open_routes_only(issuer: DevelopmentIssuer) -> None:
    async with client(issuer) as http:
        assert (await http.get("/open/x")).json() == {"role": None}
        refused = await http.get("/private")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"] == 'Bearer realm="innkeeper"'
    assert refused.json()["type"] == "https://innkeeper.dev/problems/unauthenticated"


async def test_a_bad_token_is_refused_even_on_an_open_route(issuer: DevelopmentIssuer) -> None:
    async with client(issuer) as http:
        answer = await http.get("/open/x", headers=bearer(issuer.token("admin", "a", aud="elsewhere")))
        scheme = await http.get("/private", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["www-authenticate"]
    assert scheme.status_code == 401
    assert 'error="invalid_request"' in scheme.headers["www-authenticate"]


async def test_roles_reach_private_routes_and_only_operators_reach_metrics(issuer: DevelopmentIssuer) -> None:
    async with client(issuer) as http:
        guest = bearer(issuer.token("guest", "g-1"))
        assert (await http.get("/private", headers=guest)).json() == {"role": "guest"}
        assert (await http.get("/metrics", headers=guest)).status_code == 403
        assert (await http.get("/metrics")).status_code == 401
        for role in ("admin", "service"):
            answer = await http.get("/metrics", headers=bearer(issuer.token(role, "ops")))  # type: ignore[arg-type]
            assert answer.json() == {"role": role}


async def test_a_valid_token_without_a_role_is_anonymous_where_that_is_enough(
    issuer: DevelopmentIssuer,
) -> None:
    roleless = bearer(issuer.token("guest", "g-1", roles=["viewer"]))
    async with client(issuer) as http:
        assert (await http.get("/open/x", headers=roleless)).json() == {"role": None}
        assert (await http.get("/private", headers=roleless)).status_code == 403


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": "ключ"},
        {"alg": "RS256", "kid": "k\r\nSet-Cookie: a=b"},
        {"alg": "\u0397S256"},  # a Greek capital eta, not an H
        {"alg": "RS256", "typ": "\U0001f600"},
    ],
    ids=["cyrillic-kid", "crlf-kid", "greek-alg", "emoji-typ"],
)
async def test_a_hostile_token_header_is_a_clean_401_never_a_broken_answer(
    issuer: DevelopmentIssuer, header: dict[str, str]
) -> None:
    token = unsigned(header, {"sub": "x"}, b"sig")
    async with client(issuer) as http:
        answer = await http.get("/open/x", headers=bearer(token))
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    assert challenge.isascii()
    assert "\r" not in challenge
    assert "\n" not in challenge
    assert "ключ" not in answer.text


async def test_the_rules_judge_the_route_that_answers_under_a_root_path(issuer: DevelopmentIssuer) -> None:
    verifier = TokenVerifier(JwksCache(jwks_url=issuer.jwks_url), issuer=DEV_ISSUER, audience=DEV_AUDIENCE)
    transport = httpx.ASGITransport(app_with(verifier), root_path="/api")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        assert (await http.get("/api/open/x")).status_code == 200
        assert (await http.get("/api/metrics", headers=bearer(issuer.token("guest", "g")))).status_code == 403


async def test_unreachable_keys_answer_503_and_no_issuer_answers_401(
    issuer: DevelopmentIssuer, tmp_path: Path
) -> None:
    async with client(issuer, jwks_url=(tmp_path / "gone.json").as_uri()) as http:
        answer = await http.get("/private", headers=bearer(issuer.token("admin", "a")))
        catalogue = await http.get("/open/x", headers=bearer(issuer.token("admin", "a")))
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "5"
    assert catalogue.json() == {"role": None}, "the public routes stay up, anonymous"
    closed = httpx.AsyncClient(transport=httpx.ASGITransport(app_with(None)), base_url="http://test")
    async with closed as http:
        assert (await http.get("/private", headers=bearer(issuer.token("admin", "a")))).status_code == 401


async def test_the_openapi_document_says_which_operations_need_a_token(issuer: DevelopmentIssuer) -> None:
    async with client(issuer) as http:
        document = (await http.get("/openapi.json")).json()
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["paths"]["/open/{item}"]["get"]["security"] == []
    private = document["paths"]["/private"]["get"]
    assert private["security"] == [{"bearerAuth": []}]
    assert {"401", "403"} <= set(private["responses"])
