"""`make backup` and `make restore`, end to end: book, back up, book more, restore into a fresh database,
rebuild the read model; `verify` passes and the system is as it was at the backup point, and takes
bookings again from there."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from ops.repo import ROOT
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper
from testkit.waiting import wait_until

EVENT_LOG = "SELECT * FROM events ORDER BY global_position"
MIGRATIONS = "SELECT version, name FROM schema_migrations ORDER BY version"


async def make(
    target: str, env: dict[str, str], *arguments: str, **settings: str
) -> subprocess.CompletedProcess[str]:
    """Run `make -s <target>` as an operator would, against the database of `env`."""
    return await asyncio.to_thread(
        subprocess.run,
        ["make", "-s", target, *arguments],
        cwd=ROOT,
        env={**os.environ, "POSTGRES_DSN": env["POSTGRES_DSN"], **settings},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def read_all(system: Innkeeper, paths: list[str]) -> dict[str, Any]:
    """Each path's status and body, from the system's query service once it applied the whole log."""
    # By the read model's checkpoints: a rebuild fills no shard's position, so the projector's /status
    # reports lag until the next event arrives.
    await wait_until(system.caught_up, 30, "the read model at the event log's head")
    assert system.queries
    async with httpx.AsyncClient(headers=admin(), base_url=system.queries[0].url, timeout=30) as query:
        answers = [await query.get(path) for path in paths]
    return {path: (a.status_code, state(a)) for path, a in zip(paths, answers, strict=True)}


def state(answer: httpx.Response) -> Any:
    """A document whole; of a problem its type and detail (its instance and ids name the request)."""
    body = answer.json()
    return body if answer.is_success else {key: body[key] for key in ("type", "detail")}


async def book(system: Innkeeper, *bodies: tuple[str, dict[str, Any]]) -> None:
    assert system.command is not None
    async with httpx.AsyncClient(headers=admin(), base_url=system.command.url, timeout=30) as http:
        for command, body in bodies:
            accepted(await HttpCommands(http).send(command, body))


def owner_only(path: Path) -> bool:
    return path.stat().st_mode & 0o077 == 0


async def event_log(system: Innkeeper) -> list[dict[str, Any]]:
    return [dict(row) for row in await system.fetch(EVENT_LOG)]


async def test_a_restored_backup_rebuilds_to_the_state_at_the_backup_point(
    original: Innkeeper, replacement: Innkeeper, tmp_path: Path
) -> None:
    await original.start()
    hotel = register_hotel("Fjord Lodge", unique_city(), 4, room("DBL", 3, "120.00"))
    hotel_id, day = hotel["hotel_id"], today() + timedelta(days=20)
    kept = [book_stay(hotel_id, "DBL", day + timedelta(days=n), 2) for n in range(2)]
    await book(original, ("RegisterHotel", hotel), *(("BookStay", stay) for stay in kept))
    later = book_stay(hotel_id, "DBL", day, 3)
    stay = f"check_in={day}&check_out={day + timedelta(days=4)}"
    paths = [f"/hotels/{hotel_id}", f"/hotels/{hotel_id}/availability?{stay}"]
    paths += [f"/bookings/{b['booking_id']}" for b in [*kept, later]]
    at_backup, log_at_backup = await read_all(original, paths), await event_log(original)
    assert at_backup[paths[-1]][0] == 404

    backup = await make("backup", original.env, BACKUP_DIR=str(tmp_path / "backups"))
    assert backup.returncode == 0, backup.stderr
    [written] = re.findall(r"written to (\S+\.dump)", backup.stdout)
    assert Path(written).parent == tmp_path / "backups"
    assert owner_only(Path(written)), "guests' data: readable by its owner only"

    await book(original, ("BookStay", later), ("CancelBooking", cancel_booking(kept[0]["booking_id"])))
    moved_on = await read_all(original, paths)
    assert moved_on[paths[-1]][0] == 200
    assert moved_on[paths[2]][1]["status"] == "cancelled"

    # The live database is not empty: a restore refuses to write into it unless told to.
    live_log = await event_log(original)
    assert len(live_log) > len(log_at_backup)
    refused = await make("restore", original.env, f"FROM={written}")
    assert refused.returncode != 0
    assert "refusing to restore" in refused.stderr
    assert "FORCE=yes" in refused.stderr
    assert await event_log(original) == live_log

    restored = await make("restore", replacement.env, f"FROM={written}")
    assert restored.returncode == 0, restored.stderr
    assert f"event log head at position {log_at_backup[-1]['global_position']}" in restored.stdout
    assert await event_log(replacement) == log_at_backup

    code, output = await replacement.projector_cli("rebuild")
    assert code == 0, output
    await replacement.start()
    code, output = await replacement.projector_cli("verify")
    assert code == 0, output
    assert await read_all(replacement, paths) == at_backup

    # The restored system carries on from the backup point: the later booking can be made again.
    await book(replacement, ("BookStay", later))
    assert (await read_all(replacement, paths))[paths[-1]][1]["status"] == "active"
    assert len(await event_log(replacement)) > len(log_at_backup)


async def test_force_replaces_the_backups_tables_and_leaves_others(postgres_dsn: str, tmp_path: Path) -> None:
    env = {"POSTGRES_DSN": postgres_dsn}
    migrated = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "command_service", "migrate"],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr
    connection = await asyncpg.connect(postgres_dsn)
    try:
        applied = await connection.fetch(MIGRATIONS)
        backup = await make("backup", env, BACKUP_DIR=str(tmp_path))
        assert backup.returncode == 0, backup.stderr
        [written] = re.findall(r"written to (\S+\.dump)", backup.stdout)
        await connection.execute("DELETE FROM schema_migrations; CREATE TABLE stray (note text)")

        assert (await make("restore", env, f"FROM={written}")).returncode != 0
        assert await connection.fetch("SELECT * FROM schema_migrations") == []
        forced = await make("restore", env, f"FROM={written}", "FORCE=yes")
        assert forced.returncode == 0, forced.stderr
        assert await connection.fetch(MIGRATIONS) == applied
        assert await connection.fetchval("SELECT to_regclass('stray')::text") == "stray"  # not in the backup
    finally:
        await connection.close()
