"""Token attacks against a running service that trusts a real identity provider over HTTP: its OpenID
Connect discovery document and JWKS served by a small HTTP server under the test's control.

Each attack is refused with 401 (and nothing of the route runs); a key that appears in the JWKS is
trusted without a restart; a stream of unknown `kid`s does not turn into a stream of JWKS fetches.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from testkit.forgery import ATTACKS
from testkit.infra import free_port
from testkit.services import ServiceProcess

from innkeeper_kit.auth.dev import DevelopmentIssuer, new_key


class IdentityProvider:
    """Serves `/.well-known/openid-configuration` and `/jwks.json`; counts the JWKS fetches."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.signer = DevelopmentIssuer(new_key(), name=self.url)
        self.keys: list[dict[str, Any]] = [self.signer.public_jwk]
        self.jwks_fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": provider.url, "jwks_uri": f"{provider.url}/jwks.json"}
                elif self.path == "/jwks.json":
                    provider.jwks_fetches += 1
                    body = {"keys": provider.keys}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    def __enter__(self) -> IdentityProvider:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[IdentityProvider]:
    with IdentityProvider() as running:
        yield running


@pytest.fixture
def query_service(
    provider: IdentityProvider, mongodb_server: str, mongodb_database: str, log_dir: Path
) -> Iterator[ServiceProcess]:
    """The query service in production mode, finding the provider's keys by discovery."""
    env = {
        "MONGODB_URL": mongodb_server,
        "MONGODB_DATABASE": mongodb_database,
        "ENVIRONMENT": "production",
        "AUTH_ISSUER": provider.url,
        "AUTH_AUDIENCE": "innkeeper",
        "AUTH_JWKS_URL": "",
        "AUTH_JWKS_REFETCH_SECONDS": "1",
    }
    with ServiceProcess("query_service", env, free_port(), log_dir) as process:
        yield process


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_every_forged_token_is_refused_with_401(
    provider: IdentityProvider, query_service: ServiceProcess
) -> None:
    async with httpx.AsyncClient(base_url=query_service.url, timeout=10) as http:
        honest = await http.get("/management/alerts", headers=bearer(provider.signer.token("admin", "ops")))
        assert honest.status_code == 200
        refused = {}
        for name, forge in ATTACKS.items():
            answer = await http.get("/management/alerts", headers=bearer(forge(provider.signer)))
            refused[name] = (
                answer.status_code,
                'error="invalid_token"' in answer.headers["www-authenticate"],
            )
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["type"] == "https://innkeeper.dev/problems/unauthenticated"
    assert refused == dict.fromkeys(ATTACKS, (401, True))


async def test_a_rotated_key_is_trusted_without_restart_and_unknown_kids_cost_one_fetch_per_floor(
    provider: IdentityProvider, query_service: ServiceProcess
) -> None:
    async with httpx.AsyncClient(base_url=query_service.url, timeout=10) as http:
        first = await http.get("/management/alerts", headers=bearer(provider.signer.token("admin", "ops")))
        assert first.status_code == 200
        before = provider.jwks_fetches
        for _ in range(20):  # made-up keys, as fast as they come
            answer = await http.get(
                "/management/alerts", headers=bearer(ATTACKS["unknown-kid"](provider.signer))
            )
            assert answer.status_code == 401
        assert provider.jwks_fetches - before <= 2, "unknown kids refetch at most once per floor (1 s)"

        rotated = DevelopmentIssuer(new_key(), name=provider.url)
        provider.keys = [provider.signer.public_jwk, rotated.public_jwk]
        await asyncio.sleep(1.1)  # past the refetch floor
        answer = await http.get("/management/alerts", headers=bearer(rotated.token("admin", "ops")))
        assert answer.status_code == 200
    assert query_service.process is not None
    assert query_service.process.poll() is None, "no restart"
