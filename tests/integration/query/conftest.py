"""Fixtures of the query tests: a seeded read model and the query app in-process (ASGI), on either read
store: every test that asks for `seed`, `client` or `make_client` runs against MongoDB and the in-memory
store, unless marked `MONGODB_ONLY`."""

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

from query.seed import STORES, ClientFactory, MemorySeed, ReadModelSeed, Seed
from query_service.app import create_app
from query_service.read_model import ReadStore
from query_service.settings import Settings
from query_service.store.memory import MemoryReadModel
from query_service.store.mongo import MONGODB

Document = dict[str, Any]


@pytest.fixture
async def mongo(mongodb_server: str, mongodb_database: str) -> AsyncIterator[AsyncDatabase[Document]]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongodb_server)
    try:
        yield client[mongodb_database]
    finally:
        await client.drop_database(mongodb_database)
        await client.close()


@pytest.fixture(params=STORES)
def read_store(request: pytest.FixtureRequest) -> str:
    """The name of the read store this test runs against."""
    name: str = request.param
    return name


@pytest.fixture
def memory() -> MemoryReadModel:
    return MemoryReadModel()


@pytest.fixture
def store(read_store: str, memory: MemoryReadModel) -> ReadStore:
    """The read store the test's apps are composed with."""
    return MONGODB if read_store == "mongodb" else memory.store()


@pytest.fixture
async def seed(read_store: str, mongo: AsyncDatabase[Document], memory: MemoryReadModel) -> Seed:
    """In MongoDB: generation g1, already active."""
    if read_store == "memory":
        return MemorySeed(memory)
    seeded = ReadModelSeed(mongo, "g1")
    await seeded.activate()
    return seeded


@pytest.fixture
async def make_client(
    mongodb_server: str, mongodb_database: str, store: ReadStore
) -> AsyncIterator[ClientFactory]:
    """Builds in-process query apps (settings overridable) and HTTP clients on them."""
    async with AsyncExitStack() as stack:

        async def build(**overrides: Any) -> httpx.AsyncClient:
            values = {
                "mongodb_url": mongodb_server,
                "mongodb_database": mongodb_database,
                **auth_settings(),
                **overrides,
            }
            manager = await stack.enter_async_context(LifespanManager(create_app(Settings(**values), store)))
            # Like a server: an unhandled error is an answer (500), not an exception in the test.
            transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
            return await stack.enter_async_context(
                httpx.AsyncClient(headers=admin(), transport=transport, base_url="http://q")
            )

        yield build


@pytest.fixture
async def client(make_client: ClientFactory, seed: Seed) -> httpx.AsyncClient:
    """A query app with caches off, so every test sees what it seeded at once."""
    return await make_client(generation_cache_seconds=0, status_cache_seconds=0, consistency_wait_seconds=1)
