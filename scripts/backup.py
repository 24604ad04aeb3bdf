#!/usr/bin/env python3
"""`make backup`: one consistent copy of the system's source of truth, in pg_dump's custom format.

The copy is the whole database of POSTGRES_DSN: the command service's write model (hotels, room nights,
bookings, idempotency keys), its event log and outbox, and the notifier's schema (which mails and
webhooks went out). pg_dump reads all of it in one snapshot, so they agree with each other; the read
model (MongoDB) is not in it, as it is rebuilt from the event log (docs/operations.md, "Backup and
restore"). The file goes to BACKUP_DIR (default backups/, git-ignored) as <UTC time>.dump, readable by
its owner only: it holds guests' names and e-mail addresses.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from postgres_client import Database, ToolError, fail

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make backup", description=__doc__)
    default_dir = Path(os.environ.get("BACKUP_DIR") or ROOT / "backups")
    parser.add_argument("--dir", type=Path, default=default_dir, help="where to write (default: %(default)s)")
    directory: Path = parser.parse_args(argv).dir
    database = Database.configured()
    os.umask(0o077)  # the directory and the dump: owner only
    directory.mkdir(parents=True, exist_ok=True)
    target = _unused(directory, f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    partial = target.with_name(target.name + ".partial")  # a failed dump never looks like a backup
    try:
        database.run("pg_dump", "--format=custom", "--file", str(partial), "--dbname", database.dsn)
    except ToolError as error:
        partial.unlink(missing_ok=True)
        return fail(str(error))
    partial.rename(target)
    print(f"backup of {database.dsn} written to {target} ({target.stat().st_size} bytes)")
    print(f"restore it with: make restore FROM={target}")
    return 0


def _unused(directory: Path, stem: str) -> Path:
    """<stem>.dump, or <stem>-2.dump and so on when backups were taken within one second."""
    path, number = directory / f"{stem}.dump", 1
    while path.exists():
        number += 1
        path = directory / f"{stem}-{number}.dump"
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
