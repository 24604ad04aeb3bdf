"""`make run` end to end: scripts/run_local.py starts everything, the demo's story holds, Ctrl-C stops all.

Runs the real services against this test's own PostgreSQL database, RabbitMQ vhost and MongoDB
stand-in (on free ports), so it can run beside a developer's `make run`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import aio_pika
import httpx
import pytest
from flow.payloads import register_hotel, room
from testkit.infra import free_port, management_url, unique_name
from testkit.waiting import wait_until

from ops.broker import KINDS, permissions_for, vhost_of
from ops.broker_story import DIRECT_REPLY_TO, Sender
from ops.repo import ROOT, services

PORTS = ("COMMAND_PORT", "QUERY_PORT", "PROJECTOR_PORT", "NOTIFIER_PORT", "MONGO_PORT", "MAIL_PORT")
SERVICE_PORTS = ("COMMAND_PORT", "QUERY_PORT", "PROJECTOR_PORT", "NOTIFIER_PORT")
BROKER_USERS = ("command-service", "projector", "notifier")
"""The services `make run` gives a RabbitMQ user of their own (scripts/local_broker.py's ROLES)."""
MARKER = "INNKEEPER_RUN_ID"
Running = tuple[subprocess.Popen[bytes], dict[str, int], Path]


@pytest.fixture
def infrastructure(postgres_dsn: str, rabbitmq_url: str, mongodb_database: str) -> Iterator[dict[str, str]]:
    """This test's own database, vhost and broker users; run_local.py starts its own MongoDB stand-in."""
    prefix = f"test-{unique_name('run')}-"  # broker users are broker-wide: not the developer's
    yield {
        "POSTGRES_DSN": postgres_dsn,
        "RABBITMQ_URL": rabbitmq_url,
        "MONGODB_DATABASE": mongodb_database,
        "RABBITMQ_USER_PREFIX": prefix,
    }
    with httpx.Client(base_url=management_url(rabbitmq_url), timeout=10) as management:
        for service in BROKER_USERS:
            management.delete(f"/api/users/{prefix}{service}")


def test_make_run_gives_the_services_docker_compose_connects_to_rabbitmq_a_user_of_their_own() -> None:
    spec = importlib.util.spec_from_file_location("local_broker", ROOT / "scripts" / "local_broker.py")
    assert spec is not None
    assert spec.loader is not None
    local_broker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(local_broker)
    roles: dict[str, str] = local_broker.ROLES  # service → its role in deploy/rabbitmq/permissions.json
    assert roles == dict(zip(BROKER_USERS, BROKER_USERS, strict=True))
    composed = {name for name, found in services().items() if "RABBITMQ_URL" in found.get("environment", {})}
    assert composed == set(BROKER_USERS)


def processes_marked(run_id: str) -> list[int]:
    """Processes whose environment carries our run id: run_local.py and everything it started."""
    needle = f"{MARKER}={run_id}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue  # gone meanwhile, or not ours to read
    return found


@contextmanager
def run_local(
    tmp_path: Path, infrastructure: dict[str, str], extra: dict[str, str] | None = None
) -> Iterator[Running]:
    ports = {name: free_port() for name in PORTS}
    run_id = unique_name("run")
    env = {
        **os.environ,
        **infrastructure,
        **{name: str(port) for name, port in ports.items()},
        **(extra or {}),
    }
    env.pop("MONGODB_URL", None)  # as `make run` does: start the stand-in itself
    env |= {"RUN_DIR": str(tmp_path / "run"), MARKER: run_id, "STOP_TIMEOUT": "20"}
    log = tmp_path / "run_local.log"
    with log.open("wb") as output:
        command = [sys.executable, "scripts/run_local.py"]
        runner = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield runner, ports, log
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
        for pid in processes_marked(run_id):  # only if the test failed: leave nothing running
            os.kill(pid, signal.SIGKILL)
    assert processes_marked(run_id) == []


def wait_healthy(port: int, runner: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert runner.poll() is None, f"run_local.py exited with {runner.returncode}:\n{log.read_text()}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"nothing healthy on port {port} after {timeout}s:\n{log.read_text()}")


def wait_for_log(
    log: Path, pattern: str, runner: subprocess.Popen[bytes], timeout: float = 30
) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := re.search(pattern, log.read_text()):
            return found
        assert runner.poll() is None, f"run_local.py exited with {runner.returncode}:\n{log.read_text()}"
        time.sleep(0.2)
    pytest.fail(f"run_local.py never printed {pattern!r}:\n{log.read_text()}")


def test_the_demo_story_runs_on_make_run_and_ctrl_c_stops_every_process(
    tmp_path: Path, infrastructure: dict[str, str]
) -> None:
    with run_local(tmp_path, infrastructure) as (runner, ports, log):
        for name in SERVICE_PORTS:
            wait_healthy(ports[name], runner, log)
        urls = ["--command-url", f"http://127.0.0.1:{ports['COMMAND_PORT']}"]
        urls += ["--query-url", f"http://127.0.0.1:{ports['QUERY_PORT']}"]
        urls += ["--run-dir", str(tmp_path / "run")]  # the token key this run's services trust
        demo = subprocess.run(
            [sys.executable, "scripts/demo.py", *urls], cwd=ROOT, capture_output=True, text=True, timeout=180
        )
        told = demo.stdout + demo.stderr
        assert demo.returncode == 0, f"{told}\n--- run_local.py:\n{log.read_text()}"
        assert re.search(r"refund\s+0\.00 EUR of 240\.00 EUR \(policy: none\)", told), told
        assert re.search(r"refund\s+465\.00 EUR of 930\.00 EUR \(policy: half\)", told), told
        assert re.search(r"status\s+cancelled", told), told
        assert re.search(r"kinds\s+late_cancellation", told), told
        # The notifier ran under its own broker user and mailed Ana the cancellation through the catcher.
        assert re.search(r"Ana's mailbox.*\n\s+file\s+\S+\.eml", told), told

        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=90) == 0, log.read_text()
    logs = log.read_text()
    assert re.search(r"command-service\s+http://127\.0\.0\.1:\d+\s+\d+", logs)
    assert "run_local       | stopped" in logs
    assert (tmp_path / "run" / "mongo").is_dir(), "the stand-in keeps its data under RUN_DIR"
    assert list((tmp_path / "run" / "mail").glob("*.eml")), "the mail catcher keeps each mail under RUN_DIR"
    for port in ports.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)


def test_make_run_restarts_a_killed_service_and_the_mongodb_stand_in_and_ctrl_c_still_stops_all(
    tmp_path: Path, infrastructure: dict[str, str]
) -> None:
    with run_local(tmp_path, infrastructure) as (runner, ports, log):
        for name in SERVICE_PORTS:
            wait_healthy(ports[name], runner, log)
        killed = int(wait_for_log(log, r"projector\s+http://127\.0\.0\.1:\d+\s+(\d+)", runner).group(1))
        os.kill(killed, signal.SIGKILL)
        wait_for_log(log, r"projector exited with -9: restarting in 1 s \(restart 1\)", runner)
        restarted = int(wait_for_log(log, r"restarted projector \(pid (\d+)\)", runner).group(1))
        assert restarted != killed
        wait_healthy(ports["PROJECTOR_PORT"], runner, log)

        stand_in = int(wait_for_log(log, r"mongodb\s+mongodb://\S+\s+(\d+)", runner).group(1))
        os.kill(stand_in, signal.SIGKILL)
        wait_for_log(log, r"mongodb exited with -9: restarting in 1 s \(restart 1\)", runner)
        assert int(wait_for_log(log, r"restarted mongodb \(pid (\d+)\)", runner).group(1)) != stand_in
        for name in SERVICE_PORTS:  # nothing else was stopped meanwhile
            wait_healthy(ports[name], runner, log)

        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=90) == 0, log.read_text()
    logs = log.read_text()
    assert f"stopping projector (pid {restarted})" in logs
    assert "stopping mongodb" in logs
    assert "run_local       | stopped" in logs
    for port in ports.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)


async def test_make_run_gives_each_service_its_own_broker_user_and_lets_guest_send_commands(
    tmp_path: Path, infrastructure: dict[str, str]
) -> None:
    prefix, admin_url = infrastructure["RABBITMQ_USER_PREFIX"], infrastructure["RABBITMQ_URL"]
    own = {f"{prefix}{service}": service for service in BROKER_USERS}  # the role is the service's name
    with run_local(tmp_path, infrastructure) as (runner, ports, log):
        for name in SERVICE_PORTS:
            wait_healthy(ports[name], runner, log)
        wait_for_log(log, r"make token ROLE=admin", runner)
        vhost = quote(vhost_of(admin_url), safe="")
        async with httpx.AsyncClient(base_url=management_url(admin_url), timeout=10) as management:
            for user, role in own.items():
                granted = (await management.get(f"/api/permissions/{vhost}/{user}")).json()
                assert {kind: granted[kind] for kind in KINDS} == permissions_for(role, user)

            async def connected_as_own_users() -> bool:
                connections = (await management.get(f"/api/vhosts/{vhost}/connections")).json()
                return {connection["user"] for connection in connections} == set(own)

            await wait_until(connected_as_own_users, 30, f"only {sorted(own)} connected to the vhost")
        # The newcomer's way in: the broker's default credentials, user_id set, every command allowed.
        async with await aio_pika.connect(admin_url) as connection:
            channel = await connection.channel()
            sender = Sender(channel, urlsplit(admin_url).username or "guest")
            replies = await channel.get_queue(DIRECT_REPLY_TO, ensure=False)
            await replies.consume(sender.on_reply, no_ack=True)
            hotel = register_hotel("Newcomer Inn", "Oslo", 3, room("DBL", 1, "80.00"))
            assert (await sender.send("RegisterHotel", hotel, DIRECT_REPLY_TO))["status"] == "accepted"
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=90) == 0, log.read_text()
    run_dir = tmp_path / "run"
    assert stat.S_IMODE((run_dir / "rabbitmq-users.json").stat().st_mode) == 0o600
    assert set(json.loads((run_dir / "rabbitmq-users.json").read_text())) == set(own)
    assert (run_dir / "auth" / "jwks.json").is_file(), "the development issuer's key, for `make token`"
    assert "user_id=guest may do anything (development only)" in log.read_text()


def test_make_run_with_replicas_runs_and_restarts_each_replica_on_its_port_plus_100(
    tmp_path: Path, infrastructure: dict[str, str]
) -> None:
    with run_local(tmp_path, infrastructure, {"REPLICAS": "2"}) as (runner, ports, log):
        replicated = ("COMMAND_PORT", "QUERY_PORT", "PROJECTOR_PORT")
        for name in SERVICE_PORTS:
            wait_healthy(ports[name], runner, log)
        for name in replicated:
            wait_healthy(ports[name] + 100, runner, log)
        pattern = r"projector-2\s+http://127\.0\.0\.1:(\d+)\s+(\d+)"
        listed = wait_for_log(log, pattern, runner)
        assert int(listed.group(1)) == ports["PROJECTOR_PORT"] + 100
        os.kill(int(listed.group(2)), signal.SIGKILL)
        wait_for_log(log, r"projector-2 exited with -9: restarting in 1 s \(restart 1\)", runner)
        wait_for_log(log, r"restarted projector-2 \(pid \d+\)", runner)
        wait_healthy(ports["PROJECTOR_PORT"] + 100, runner, log)

        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=90) == 0, log.read_text()
    logs = log.read_text()
    for service in ("command-service", "query-service"):
        assert re.search(rf"{service}-2\s+http://127\.0\.0\.1:\d+\s+\d+", logs), logs
    assert "notifier-2" not in logs, "the notifier stays single"
    assert "restarted projector " not in logs, "only the killed replica was restarted"
    for name in replicated:
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{ports[name] + 100}/healthz", timeout=1)


def environ_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def test_service_env_gives_one_service_or_one_replica_extra_environment_and_refuses_unknown_names(
    tmp_path: Path, infrastructure: dict[str, str]
) -> None:
    typo = {"REPLICAS": "2", "SERVICE_ENV": json.dumps({"projector-3": {"MARK": "x"}})}
    (tmp_path / "typo").mkdir()
    with run_local(tmp_path / "typo", infrastructure, typo) as (runner, _, log):
        assert runner.wait(timeout=60) == 1, log.read_text()
    assert "SERVICE_ENV names projector-3: known are command-service, projector" in log.read_text()

    marks = {"projector": {"MARK": "service", "ONLY_PROJECTORS": "1"}, "projector-2": {"MARK": "replica"}}
    extra = {"REPLICAS": "2", "SERVICE_ENV": json.dumps(marks)}
    with run_local(tmp_path, infrastructure, extra) as (runner, _, log):
        wait_for_log(log, r"make token ROLE=admin", runner, timeout=120)
        pids = {
            name: int(wait_for_log(log, rf"\n  {name}\s+http://\S+\s+(\d+)", runner).group(1))
            for name in ("projector", "projector-2", "command-service-2")
        }
        first, second = environ_of(pids["projector"]), environ_of(pids["projector-2"])
        assert (first["MARK"], first["ONLY_PROJECTORS"]) == ("service", "1")
        assert (second["MARK"], second["ONLY_PROJECTORS"]) == ("replica", "1")  # the replica's wins
        assert "MARK" not in environ_of(pids["command-service-2"])
        assert "SERVICE_ENV" not in second, "run_local's own setting, not the services'"
        assert "projector-2 gets SERVICE_ENV's MARK, ONLY_PROJECTORS" in log.read_text()
        runner.send_signal(signal.SIGINT)
        assert runner.wait(timeout=90) == 0, log.read_text()
