"""What `make backup` and `make restore` share: the database the services use (POSTGRES_DSN, with the
services' own default), and PostgreSQL's client tools (pg_dump, pg_restore, psql) run against it.

The password goes to the tools in PGPASSWORD, never on their command line, where any user of the machine
could read it in the process list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from command_service.settings import Settings

# Tables and schemas PostgreSQL makes itself; anything else means the database holds data.
_USER_RELATIONS = """
SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
"""
_EVENT_HEAD = "SELECT coalesce(max(global_position), 0) FROM events"
_PSQL = ("psql", "--no-psqlrc", "--quiet", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1")


class ToolError(Exception):
    """A client tool is missing or exited non-zero; the message is the one line to print."""


@dataclass(frozen=True)
class Database:
    """One PostgreSQL database, as the client tools reach it."""

    dsn: str
    """The connection string without its password."""
    password: str | None

    @classmethod
    def configured(cls) -> Database:
        """The database of POSTGRES_DSN, else the default the services themselves use."""
        dsn = os.environ.get("POSTGRES_DSN") or Settings.model_fields["postgres_dsn"].default
        parts = urlsplit(dsn)
        if parts.password is None:
            return cls(dsn, None)
        host = parts.netloc.rsplit("@", 1)[1]
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        return cls(urlunsplit(parts._replace(netloc=f"{user}@{host}")), unquote(parts.password))

    def run(self, tool: str, *arguments: str) -> str:
        """Run a client tool with this database's password in its environment; its stdout."""
        if shutil.which(tool) is None:
            raise ToolError(
                f"{tool} is not installed: install PostgreSQL's client tools (Debian/Ubuntu: "
                "apt-get install postgresql-client), of the server's major version or newer"
            )
        environment = dict(os.environ)
        if self.password is not None:
            environment["PGPASSWORD"] = self.password
        done = subprocess.run(
            [tool, *arguments], env=environment, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ToolError(f"{tool} failed against {self.dsn}: {done.stderr.strip()}")
        return done.stdout

    def query(self, sql: str) -> str:
        return self.run(*_PSQL, "--dbname", self.dsn, "--command", sql).strip()

    def relations(self) -> int:
        """How many tables, views and sequences the database holds outside PostgreSQL's own schemas."""
        return int(self.query(_USER_RELATIONS))

    def event_head(self) -> int:
        """The event log's highest global position (0: empty)."""
        return int(self.query(_EVENT_HEAD))


def fail(message: str, code: int = 1) -> int:
    print(message, file=sys.stderr)
    return code
