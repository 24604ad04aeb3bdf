"""MongoDB: a server answers `ping` at the URL (with its credentials, if any)."""

from __future__ import annotations

from functools import partial

from . import TIMEOUT_SECONDS, Check, Finding
from .where import host_port

START = "`make run` starts the MongoDB stand-in, or point MONGODB_URL at a running MongoDB"


def mongodb_reachable(url: str) -> Check:
    return partial(_finding, url)


async def _finding(url: str) -> Finding | None:
    from pymongo import AsyncMongoClient
    from pymongo.errors import ConfigurationError, OperationFailure, PyMongoError

    bound = int(TIMEOUT_SECONDS * 1000)
    where = url.split("@")[-1].split("/")[0] if "@" in url else host_port(url, 27017)
    try:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
            url, serverSelectionTimeoutMS=bound, connectTimeoutMS=bound
        )
    except ConfigurationError as error:
        return Finding(f"MONGODB_URL is not usable ({error})", "fix MONGODB_URL")
    try:
        await client.admin.command("ping")
    except OperationFailure as error:
        return Finding(
            f"MongoDB at {where} refused the connection ({error.details or error})", "check MONGODB_URL"
        )
    except PyMongoError as error:
        return Finding(
            f"MongoDB is not reachable at {where} ({type(error).__name__})", START, unreachable=True
        )
    finally:
        await client.close()
    return None
