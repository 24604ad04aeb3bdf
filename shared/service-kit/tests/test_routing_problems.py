"""An app with no problem vocabulary of its own (the projector's) answers the router's 404 and 405 as the
kit's problems, with the correlation id the kit's middleware bound."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from innkeeper_kit.correlation import CorrelationIdMiddleware
from innkeeper_kit.methods import install_routing_problems


def routed_app() -> FastAPI:
    app = FastAPI()

    @app.get("/status")
    async def status() -> dict[str, str]:
        return {"status": "ok"}

    install_routing_problems(app)
    app.add_middleware(CorrelationIdMiddleware)
    return app


async def test_the_routers_404_and_405_are_problems_with_the_correlation_id() -> None:
    transport = httpx.ASGITransport(app=routed_app(), raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge") as http:
        headers = {"X-Correlation-Id": "trace-7"}
        missing = await http.get("/nowhere", headers=headers)
        other_method = await http.post("/status", json={}, headers=headers)
    assert (missing.status_code, missing.json()["type"]) == (404, "https://innkeeper.dev/problems/not-found")
    assert (other_method.status_code, other_method.json()["type"]) == (
        405,
        "https://innkeeper.dev/problems/method-not-allowed",
    )
    assert other_method.headers["allow"] == "GET"
    for answer in (missing, other_method):
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["correlation_id"] == answer.headers["x-correlation-id"] == "trace-7"
