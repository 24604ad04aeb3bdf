"""Raw FastAPI baselines: one document found by `_id` (reads), and a BookStay intake without a database.

Served by uvicorn with the same defaults the query service gets (uvloop + httptools when installed),
reading from the same MongoDB store. `python -m bench.raw_app` (env PORT, MONGODB_URL, MONGODB_DATABASE).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import uvicorn
from fastapi import FastAPI, HTTPException, Response
from pymongo import AsyncMongoClient

from innkeeper_contracts import BookStay

Document = dict[str, Any]


def create_app(url: str, database: str) -> FastAPI:
    client: AsyncMongoClient[Document] = AsyncMongoClient(url)
    collection = client[database]["hotel_details"]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> Document:
        return {"status": "ok"}

    @app.get("/docs/{doc_id}")
    async def one(doc_id: str) -> Response:
        document = await collection.find_one({"_id": doc_id})
        if document is None:
            raise HTTPException(404)
        # Serialised with orjson straight to bytes, as a tuned service would (no jsonable_encoder pass).
        return Response(orjson.dumps(document), media_type="application/json")

    @app.post("/bookings", status_code=202)
    async def intake(command: BookStay) -> Response:
        """The HTTP + validation part of a command and nothing else: no database, no events."""
        answer = {"status": "accepted", "command": "BookStay", "aggregate_id": str(command.booking_id)}
        return Response(orjson.dumps(answer), status_code=202, media_type="application/json")

    return app


def main() -> None:
    app = create_app(os.environ["MONGODB_URL"], os.environ["MONGODB_DATABASE"])
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
