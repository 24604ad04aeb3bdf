"""PostgreSQL: reachable with the DSN's user and database; migrated (the command service's tables exist)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from . import TIMEOUT_SECONDS, Check, Finding
from .where import host_port, path_name, user_of

MIGRATE = "run `make migrate` (python -m command_service migrate)"


def postgres_reachable(dsn: str) -> Check:
    return partial(_first_finding, dsn, ())


def postgres_migrated(dsn: str, tables: Sequence[str] = ("events",)) -> Check:
    """The command service's `tables` exist (it migrates at its own start; the others only read them)."""
    return partial(_first_finding, dsn, tuple(tables))


async def _first_finding(dsn: str, tables: tuple[str, ...]) -> Finding | None:
    import asyncpg

    try:
        connection = await asyncpg.connect(dsn, timeout=TIMEOUT_SECONDS)
    except Exception as error:  # every failure becomes one line
        return _refused(dsn, error)
    try:
        absent = [
            table for table in tables if await connection.fetchval("SELECT to_regclass($1)", table) is None
        ]
    finally:
        await connection.close()
    if absent:
        database = path_name(dsn, user_of(dsn, "postgres"))
        return Finding(f"PostgreSQL database {database} is not migrated (no table {absent[0]})", MIGRATE)
    return None


def _refused(dsn: str, error: Exception) -> Finding:
    import asyncpg

    where, user = host_port(dsn, 5432), user_of(dsn, "postgres")
    database = path_name(dsn, user)
    if isinstance(error, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return Finding(
            f"PostgreSQL at {where} refused user {user} ({_first_line(error)})",
            "check the user and password in POSTGRES_DSN",
        )
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return Finding(
            f"PostgreSQL at {where} has no database {database}",
            f"create it (createdb -h {where.rpartition(':')[0]} -U {user} {database}) or fix POSTGRES_DSN",
        )
    if isinstance(error, asyncpg.PostgresError) and not isinstance(error, asyncpg.CannotConnectNowError):
        return Finding(
            f"PostgreSQL at {where} refused the connection ({_first_line(error)})", "check POSTGRES_DSN"
        )
    return Finding(
        f"PostgreSQL is not reachable at {where} ({type(error).__name__})",
        "start it (sudo systemctl start postgresql) or point POSTGRES_DSN at it",
        unreachable=True,
    )


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
