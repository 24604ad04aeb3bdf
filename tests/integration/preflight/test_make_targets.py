"""`make run` and `make test` check the machine first (scripts/preflight.py) and stop with one line."""

from __future__ import annotations

import subprocess
import sys

from testkit.infra import free_port

from preflight.conftest import ROOT, run


def test_everything_make_test_needs_is_here(postgres_server: str, rabbitmq_server: str) -> None:
    env = {"POSTGRES_DSN": postgres_server, "RABBITMQ_URL": rabbitmq_server}
    passed = run([sys.executable, "scripts/preflight.py", "test"], env)
    assert (passed.code, passed.stderr) == (0, "")


def test_make_test_without_mongodb(postgres_server: str, rabbitmq_server: str) -> None:
    nowhere = f"mongodb://127.0.0.1:{free_port()}/"
    env = {"POSTGRES_DSN": postgres_server, "RABBITMQ_URL": rabbitmq_server, "MONGODB_URL": nowhere}
    line = run([sys.executable, "scripts/preflight.py", "test"], env).one_line()
    assert line.startswith("make test: MongoDB is not reachable at 127.0.0.1:")


def test_make_test_without_the_management_api(postgres_server: str, rabbitmq_server: str) -> None:
    env = {"POSTGRES_DSN": postgres_server, "RABBITMQ_URL": rabbitmq_server}
    env["RABBITMQ_MANAGEMENT_URL"] = f"http://127.0.0.1:{free_port()}"
    line = run([sys.executable, "scripts/preflight.py", "test"], env).one_line()
    assert line.endswith("— rabbitmq-plugins enable rabbitmq_management (or set RABBITMQ_MANAGEMENT_URL)")


def test_make_test_runs_the_preflight_before_pytest() -> None:
    planned = subprocess.run(
        ["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    check = next(i for i, line in enumerate(planned) if "scripts/preflight.py test" in line)
    tests = next(i for i, line in enumerate(planned) if line.endswith("-m pytest"))
    assert check < tests


def test_make_run_stops_before_starting_anything(postgres_server: str, rabbitmq_server: str) -> None:
    """RabbitMQ refuses the URL's password: one line, exit 4, no migration, no service, no stand-in."""
    env = {"POSTGRES_DSN": postgres_server, "RABBITMQ_URL": "amqp://guest:wrong@127.0.0.1:5672/"}
    ports = ("COMMAND_PORT", "QUERY_PORT", "PROJECTOR_PORT", "NOTIFIER_PORT", "MONGO_PORT", "MAIL_PORT")
    env |= {name: str(free_port()) for name in ports}
    stopped = run([sys.executable, "scripts/run_local.py"], env)
    line = stopped.one_line()
    assert line.startswith("make run: RabbitMQ at 127.0.0.1:5672 refused user guest")
    assert stopped.stdout == ""  # nothing was started, so nothing streamed
