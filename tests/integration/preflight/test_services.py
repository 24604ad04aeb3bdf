"""Each service at start, and each operator tool, with one prerequisite missing: one line on stderr
naming it and the fix, exit code 4, no traceback (docs/running.md, "Preflight")."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from testkit.infra import free_port
from testkit.services import ServiceProcess

from preflight.conftest import module


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port this test holds with a listening socket."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def closed(url: str, scheme: str) -> str:
    """`url`'s kind of server on a port where nothing listens."""
    return f"{scheme}://{urlsplit(url).username or 'x'}@127.0.0.1:{free_port()}/test"


def wrong_password(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"guest:not-the-password@{parts.hostname}:{parts.port or 5672}").geturl()


def test_projector_without_postgresql(infrastructure: dict[str, str]) -> None:
    nowhere = closed(infrastructure["POSTGRES_DSN"], "postgresql")
    line = module("projector", base=infrastructure, POSTGRES_DSN=nowhere, PORT=str(free_port())).one_line()
    assert line.startswith("projector: PostgreSQL is not reachable at 127.0.0.1:")
    assert "POSTGRES_DSN" in line


def test_projector_with_a_wrong_rabbitmq_password(infrastructure: dict[str, str]) -> None:
    wrong = wrong_password(infrastructure["RABBITMQ_URL"])
    line = module("projector", base=infrastructure, RABBITMQ_URL=wrong, PORT=str(free_port())).one_line()
    assert line.startswith("projector: RabbitMQ at ")
    assert "refused user guest" in line
    assert "RABBITMQ_URL" in line
    assert "not-the-password" not in line


def test_notifier_with_an_unknown_vhost(infrastructure: dict[str, str]) -> None:
    parts = urlsplit(infrastructure["RABBITMQ_URL"])
    unknown = parts._replace(path="/no-such-vhost").geturl()
    line = module("notifier", base=infrastructure, RABBITMQ_URL=unknown, PORT=str(free_port())).one_line()
    assert line.startswith("notifier: RabbitMQ at ")
    assert "refused vhost 'no-such-vhost'" in line
    assert "rabbitmqctl add_vhost no-such-vhost" in line


def test_projector_without_mongodb(infrastructure: dict[str, str]) -> None:
    nowhere = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"
    line = module("projector", base=infrastructure, MONGODB_URL=nowhere, PORT=str(free_port())).one_line()
    assert line.startswith("projector: MongoDB is not reachable at 127.0.0.1:")
    assert "`make run` starts the MongoDB stand-in" in line
    assert "MONGODB_URL" in line


@pytest.mark.parametrize("service", ["command_service", "projector", "query_service", "notifier"])
def test_every_service_with_its_port_held(
    infrastructure: dict[str, str], held_port: int, service: str
) -> None:
    line = module(service, base=infrastructure, PORT=str(held_port)).one_line()
    assert f"port {held_port} is in use" in line
    assert f"ss -ltnp 'sport = :{held_port}'" in line
    assert "set PORT" in line


def test_the_command_service_stops_for_a_postgresql_that_refuses_it(infrastructure: dict[str, str]) -> None:
    """It rides out a PostgreSQL it cannot reach yet (tests/integration/command/test_outages.py), but a
    server that refuses its user will not change its mind."""
    parts = urlsplit(infrastructure["POSTGRES_DSN"])
    stranger = parts._replace(netloc=f"no_such_role@{parts.hostname}:{parts.port or 5432}").geturl()
    line = module(
        "command_service", base=infrastructure, POSTGRES_DSN=stranger, PORT=str(free_port())
    ).one_line()
    assert "refused user no_such_role" in line
    assert "POSTGRES_DSN" in line


def test_the_command_service_stops_for_a_rabbitmq_that_refuses_it(infrastructure: dict[str, str]) -> None:
    wrong = wrong_password(infrastructure["RABBITMQ_URL"])
    line = module(
        "command_service", base=infrastructure, RABBITMQ_URL=wrong, PORT=str(free_port())
    ).one_line()
    assert line.startswith("command-service: RabbitMQ at ")
    assert "refused user guest" in line


def test_migrate_needs_only_postgresql(infrastructure: dict[str, str]) -> None:
    nowhere = closed(infrastructure["POSTGRES_DSN"], "postgresql")
    # RabbitMQ and MongoDB are missing too: migrate does not ask for them, only PostgreSQL is named.
    line = module(
        "command_service",
        "migrate",
        POSTGRES_DSN=nowhere,
        RABBITMQ_URL=f"amqp://guest:guest@127.0.0.1:{free_port()}/",
        MONGODB_URL=f"mongodb://127.0.0.1:{free_port()}/",
    ).one_line()
    assert line.startswith("command-service: PostgreSQL is not reachable")


def test_verify_on_a_database_that_is_not_migrated(infrastructure: dict[str, str], postgres_dsn: str) -> None:
    line = module("projector", "verify", base=infrastructure, POSTGRES_DSN=postgres_dsn).one_line()
    assert "is not migrated (no table events)" in line
    assert "make migrate" in line
    assert "python -m command_service migrate" in line


def test_the_projector_passes_its_preflight_on_this_broker(
    service_env: dict[str, str], log_dir: Path
) -> None:
    """This broker has the consistent-hash exchange type (and every other check passes): it serves."""
    with ServiceProcess("projector", service_env, free_port(), log_dir) as projector:
        answer = httpx.get(f"{projector.url}/healthz", timeout=10)
        assert answer.status_code == 200
        assert projector.process is not None
        assert projector.process.poll() is None
    assert " — " not in projector.logs()  # no preflight line


@pytest.mark.parametrize("service", ["command_service", "projector", "query_service", "notifier"])
def test_every_service_refuses_a_malformed_failpoint_spec_before_serving(
    infrastructure: dict[str, str], service: str
) -> None:
    spec = {"INNKEEPER_FAILPOINTS": "relay.after_publish_before_mark=explode"}
    line = module(service, base=infrastructure, PORT=str(free_port()), **spec).one_line()
    assert "'relay.after_publish_before_mark=explode' is not `name=crash`" in line
    assert "fix or unset INNKEEPER_FAILPOINTS" in line
