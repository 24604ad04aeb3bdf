"""Fixtures of the query tests: a seeded read model and the query app in-process (ASGI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from testkit.auth import admin, auth_settings

from query.seed import ClientFactory, ReadModelSeed
from query_service.app import create_app
from query_service.settings import Settings

Document = dict[str, Any]


@pytest.fixture
async def mongo(mongodb_server: str, mongodb_database: str) -> AsyncIterator[AsyncDatabase[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongodb_server)
    try:
        yield client[mongodb_database]
    finally:
        await client.drop_database(mongodb_database)
        await client.close()


@pytest.fixture
async def seed(mongo: AsyncDatabase[Document]) -> ReadModelSeed:
    """Generation g1, already active."""
    seeded = ReadModelSeed(mongo, "g1")
    await seeded.activate()
    return seeded


@pytest.fixture
async def make_client(mongodb_server: str, mongodb_database: str) -> AsyncIterator[ClientFactory]:
    """Builds in-process query apps (settings overridable) and HTTP clients on them."""
    async with AsyncExitStack() as stack:

        async def build(**overrides: Any) -> httpx.AsyncClient:
            values = {
                "mongodb_url": mongodb_server,
                "mongodb_database": mongodb_database,
                **auth_settings(),
                **overrides,
            }
            manager = await stack.enter_async_context(LifespanManager(create_app(Settings(**values))))
            # Like a server: an unhandled error is an answer (500), not an exception in the test.
            transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
            return await stack.enter_async_context(
                httpx.AsyncClient(headers=admin(), transport=transport, base_url="http://q")
            )

        yield build


@pytest.fixture
async def client(make_client: ClientFactory, seed: ReadModelSeed) -> httpx.AsyncClient:
    """A query app with caches off, so every test sees what it seeded at once."""
    return await make_client(generation_cache_seconds=0, status_cache_seconds=0, consistency_wait_seconds=1)
