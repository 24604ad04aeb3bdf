"""Versioned SQL migrations (package data `command_service/migrations/NNN_name.sql`).

Applied at start-up and by `python -m command_service migrate`. A transaction-scoped advisory lock
makes two replicas starting at once take turns: the second finds everything applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import structlog

from command_service.adapters.pg_errors import Db

MIGRATION_LOCK = 7_301_001
_FILE_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

log = structlog.get_logger("command_service.migrations")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available_migrations() -> list[Migration]:
    found = []
    for entry in resources.files("command_service.migrations").iterdir():
        if match := _FILE_NAME.match(entry.name):
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda migration: migration.version)


async def migrate(connection: Db) -> list[str]:
    """Apply the migrations not applied yet, in order; returns the names applied."""
    applied_now: list[str] = []
    async with connection.transaction():
        # The pool's connections bound every statement and lock wait (settings): a migration may take
        # long, and waits for another replica's migration, so neither bound applies to it.
        await connection.execute("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0")
        await connection.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row["version"] for row in await connection.fetch("SELECT version FROM schema_migrations")}
        for migration in available_migrations():
            if migration.version in done:
                continue
            await connection.execute(migration.sql)
            await connection.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                migration.version,
                migration.name,
            )
            applied_now.append(f"{migration.version:03d}_{migration.name}")
    log.info("migrations.applied", applied=applied_now)
    return applied_now
