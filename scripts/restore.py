#!/usr/bin/env python3
"""`make restore FROM=backups/<time>.dump [FORCE=yes]`: put a `make backup` file into the database of
POSTGRES_DSN, all or nothing (one transaction).

The database must exist and be empty (`createdb` it): a restore refuses to write into one that holds
tables unless FORCE=yes, which drops the backup's tables there first. Objects keep their owners and
grants, so the roles they name must exist on the server (docker compose makes them at the volume's first
start: deploy/postgres). Afterwards the read model is stale and the broker may hold events the backup
does not have: docs/operations.md, "Backup and restore".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from postgres_client import Database, ToolError, fail


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make restore", description=__doc__)
    parser.add_argument("--from", dest="source", default="", help="a file written by `make backup`")
    parser.add_argument("--force", action="store_true", help="replace what the database already holds")
    arguments = parser.parse_args(argv)
    if not arguments.source:
        return fail("say which backup to restore: make restore FROM=backups/<time>.dump", 2)
    source = Path(arguments.source)
    if not source.is_file():
        return fail(f"no backup at {source}", 2)
    database = Database.configured()
    try:
        database.run("pg_restore", "--list", str(source))  # a custom-format dump, readable, before anything
        held = database.relations()
        if held and not arguments.force:
            return fail(
                f"refusing to restore into {database.dsn}: it is not empty ({held} tables, views or "
                "sequences). Restore into a new database (createdb), or add FORCE=yes to replace them.",
                2,
            )
        replace = ["--clean", "--if-exists"] if held else []
        database.run("pg_restore", "--exit-on-error", "--single-transaction", *replace,
                     "--dbname", database.dsn, str(source))  # fmt: skip
        head = database.event_head()
    except ToolError as error:
        return fail(str(error))
    print(f"restored {source} into {database.dsn}: event log head at position {head}")
    print("next: purge the projector's and notifier's queues, then `python -m projector rebuild` and verify")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
