"""docker compose's PostgreSQL roles (deploy/postgres): the command service, the projector and the notifier
each run as their own role, made by the same script the postgres image runs at first start, and each can
do its work and nothing more: book, project and mail as those roles; refused outside their share."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import psycopg
import pytest
from flow.payloads import book_stay, register_hotel, room, today, unique_city
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.infra import free_port, unique_name
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from ops.repo import ROOT, services

ROLES_SCRIPT = ROOT / "deploy" / "postgres" / "10-service-roles.sh"
ROLES_SQL = ROOT / "deploy" / "postgres" / "service-roles.sql"
SERVICES = ("COMMAND_SERVICE", "PROJECTOR", "NOTIFIER")


def as_role(dsn: str, role: str, password: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(netloc=f"{role}:{password}@{parts.hostname}:{parts.port or 5432}"))


@pytest.fixture
def roles(postgres_dsn: str) -> Iterator[dict[str, str]]:
    """Service → a DSN as its own role (names unique to this test: roles are server-wide), made by the
    compose script twice (it must be safe to run again); dropped afterwards."""
    names = {service: unique_name(f"t_{service.lower()}") for service in SERVICES}
    parts = urlsplit(postgres_dsn)
    env = {**os.environ, "POSTGRES_USER": parts.username or "postgres", "POSTGRES_DB": parts.path[1:]}
    env |= {"PGHOST": parts.hostname or "127.0.0.1", "PGPORT": str(parts.port or 5432)}
    env |= {"SERVICE_ROLES_SQL": str(ROLES_SQL)}
    for service, name in names.items():
        env |= {f"POSTGRES_{service}_USER": name, f"POSTGRES_{service}_PASSWORD": f"pw-{name}"}
    try:
        for _ in range(2):
            made = subprocess.run(["bash", str(ROLES_SCRIPT)], env=env, capture_output=True, text=True)
            assert made.returncode == 0, made.stderr
            assert made.stderr == ""
        yield {service: as_role(postgres_dsn, name, f"pw-{name}") for service, name in names.items()}
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as owner:
            quoted = ", ".join(f'"{name}"' for name in names.values())
            owner.execute(f"DROP SCHEMA IF EXISTS notifier CASCADE; DROP OWNED BY {quoted}")
            owner.execute(f"DROP ROLE IF EXISTS {quoted}")


async def refused(dsn: str, sql: str) -> str:
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(sql)
    except asyncpg.InsufficientPrivilegeError as error:
        return str(error)
    finally:
        await connection.close()
    raise AssertionError(f"{sql!r} was allowed")


async def test_each_service_works_as_its_own_role_and_is_refused_beyond_it(
    service_env: dict[str, str], roles: dict[str, str], tmp_path: Path, log_dir: Path
) -> None:
    env = {**service_env, "POSTGRES_DSN": roles["COMMAND_SERVICE"], "MIGRATE_ON_START": "false"}
    env |= {"RELAY_POLL_INTERVAL": "0.2", "NOTIFIER_POLL_SECONDS": "0.2", "PROJECTOR_SHARDS": "2"}
    with MailCatcher(tmp_path / "mail", log_dir) as mail:
        system = Innkeeper({**env, "SMTP_URL": mail.url}, log_dir)
        try:
            owner = service_env["POSTGRES_DSN"]
            code, output = await system.cli("command_service", "migrate", POSTGRES_DSN=owner)
            assert code == 0, output  # as the owner, as compose's migrate job
            await system.start(projectors=0, queries=0)
            projector = ServiceProcess(
                "projector", {**env, "POSTGRES_DSN": roles["PROJECTOR"]}, free_port(), log_dir
            )
            system.processes.append(projector)
            system.projectors.append(projector.start())
            await system.start_notifier(POSTGRES_DSN=roles["NOTIFIER"])
            assert system.command is not None
            hotel = register_hotel("Role Inn", unique_city(), 3, room("DBL", 2, "90.00"))
            stay = book_stay(hotel["hotel_id"], "DBL", today(), 2)
            async with httpx.AsyncClient(headers=admin(), base_url=system.command.url, timeout=30) as http:
                for command, body in (("RegisterHotel", hotel), ("BookStay", stay)):
                    accepted(await HttpCommands(http).send(command, body))
            await wait_until(system.caught_up, 30, "the projector applying the log as its role")
            await wait_until(lambda: len(mail.messages()) > 0, 30, "the notifier mailing as its role")
        finally:
            await system.close()

    assert "permission denied" in await refused(roles["PROJECTOR"], "DELETE FROM events")
    assert "permission denied" in await refused(roles["COMMAND_SERVICE"], "CREATE TABLE stray (a int)")
    assert "must be owner" in await refused(roles["COMMAND_SERVICE"], "DROP TABLE events")
    assert "permission denied" in await refused(roles["COMMAND_SERVICE"], "SELECT * FROM notifier.deliveries")
    assert "permission denied" in await refused(roles["NOTIFIER"], "SELECT * FROM events")


def test_compose_connects_each_service_as_its_role_and_runs_the_script_at_first_start() -> None:
    dsns = {name: s["environment"].get("POSTGRES_DSN", "") for name, s in services().items() if "build" in s}
    assert dsns["migrate"].startswith("postgresql://${POSTGRES_USER:-innkeeper}:")
    assert dsns["command-service"].startswith(
        "postgresql://${POSTGRES_COMMAND_SERVICE_USER:-innkeeper_command_service}:"
    )
    assert dsns["projector"].startswith("postgresql://${POSTGRES_PROJECTOR_USER:-innkeeper_projector}:")
    assert dsns["notifier"].startswith("postgresql://${POSTGRES_NOTIFIER_USER:-innkeeper_notifier}:")
    assert dsns["query-service"] == "", "the query service reads MongoDB only"
    postgres = services()["postgres"]
    mounts = dict(volume.split(":")[1::-1] for volume in postgres["volumes"] if volume.startswith("./"))
    assert (
        mounts["/docker-entrypoint-initdb.d/10-service-roles.sh"] == "./deploy/postgres/10-service-roles.sh"
    )
    assert mounts["/etc/innkeeper/service-roles.sql"] == "./deploy/postgres/service-roles.sql"
    for service in SERVICES:
        assert f"POSTGRES_{service}_PASSWORD" in postgres["environment"]
        assert f"POSTGRES_{service}_USER" in postgres["environment"]
