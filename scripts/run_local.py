#!/usr/bin/env python3
"""Run Innkeeper on this machine without Docker (`make run`); Ctrl-C stops everything.

Checks first that the ports are free and that PostgreSQL, RabbitMQ (with the plugins it needs) and
MongoDB are there (scripts/preflight.py: one line naming what is missing and its fix, exit 4). Makes
each service's RabbitMQ user (scripts/local_broker.py), the development token issuer's key (.run/auth)
and the master key of personal data (.run/pii, unless PII_MASTER_KEYS is set), starts the MongoDB
stand-in (SecantusDB, data under .run/mongo) and a mail catcher (scripts/mail_catcher.py: every mail the
notifier sends becomes one file under .run/mail/), applies the command service's migrations, then runs
the command service, the projector, the query service and the notifier as one process each against the
local PostgreSQL and RabbitMQ. Their logs stream here, prefixed with the service name. If one of them
(or the stand-in, or the catcher) dies once Innkeeper is up, it is started again after a pause of 1 s
doubling to 30 s, as compose's `restart: unless-stopped` (scripts/run_children.py); one that dies
during start-up stops the start (exit 1).

REPLICAS=N (or --replicas N) runs N processes each of the command service, the query service and the
projector (the notifier stays single): replica k (from 0) listens on its service's port + 100 * k, e.g.
8001, 8101, 8201; each is supervised on its own and listed in the table.

SERVICE_ENV (JSON) gives extra environment to one service or one replica, e.g.
`{"projector": {"LOG_LEVEL": "debug"}, "projector-2": {"FAKETIME": "+20s"}}`: each key is a service's
name (all its replicas) or a further replica's name as the table shows it (`projector-2`), each value the
variables merged over that process's environment (a replica's over its service's); each process that
gets some says which. An unknown name stops the start (exit 1).

Settings (environment, or the flags of `--help`): COMMAND_PORT, QUERY_PORT, PROJECTOR_PORT, NOTIFIER_PORT,
MONGO_PORT, MAIL_PORT (the catcher's SMTP port), RUN_DIR, STOP_TIMEOUT, STARTUP_TIMEOUT, POSTGRES_DSN,
RABBITMQ_URL (its user administers the broker), RABBITMQ_USER_PREFIX, MONGODB_URL (a real MongoDB instead
of the stand-in), SMTP_URL (a real relay instead of the catcher), SERVICE_ENV (above), and whatever else
the services read (MONGODB_DATABASE, LOG_LEVEL, PROJECTOR_SHARDS, AMQP_SENDERS, SERVICE_GRANTS, MAIL_FROM,
...).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from local_broker import (
    PASSWORDS_FILE,
    BrokerSetupError,
    ensure_policies,
    ensure_users,
    retire_classic_intake,
)
from preflight import DEFAULTS, stand_in_executable
from preflight import report as preflight
from run_children import OUTPUT, Child, healthy, listening, say, stop_in_order
from run_plan import PACKAGES, StartupError, overrides_by_process, replica_ports

from innkeeper_kit.auth.dev import DevelopmentIssuer
from innkeeper_kit.personal.dev import ensure_development_master_keys

ROOT = Path(__file__).resolve().parents[1]
INFRASTRUCTURE = ("mongodb", "mail-catcher")
"""Children stopped after the services (which may still need them while they stop)."""
SAMPLE_SENDER_GRANTS = {"partner-portal": ["BookStay", "CancelBooking"]}
"""What docker compose grants its sample sender; `make run` grants it too, beside the local admin's `*`."""


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def masked(url: str) -> str:
    parts = urlsplit(url)
    if not parts.password:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


class Supervisor:
    """Starts the processes in order, restarts what dies, stops them all (services first, MongoDB last)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.stop = threading.Event()
        self.children: list[Child] = []
        self.env = {**DEFAULTS, **os.environ, "PYTHONUNBUFFERED": "1"}
        self.env.setdefault("LOG_FORMAT", "console" if sys.stdout.isatty() else "json")
        self.overrides = overrides_by_process(self.env.pop("SERVICE_ENV", ""), args.replicas)
        self.ports = {"command-service": args.command_port, "query-service": args.query_port}
        self.ports |= {"projector": args.projector_port, "notifier": args.notifier_port}
        self.service_env: dict[str, dict[str, str]] = {name: {} for name in PACKAGES}
        self.admin = unquote(urlsplit(self.env["RABBITMQ_URL"]).username or "guest")

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> Child:
        return Child(name, command, env, ROOT)

    def wait_until(self, ready: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + float(os.environ.get("STARTUP_TIMEOUT", "60"))
        while not ready():
            for child in self.children:
                if not child.alive():
                    raise StartupError(f"{child.name} exited with {child.process.returncode} before {what}")
            if self.stop.is_set():
                raise StartupError(f"asked to stop while waiting until {what}")
            if time.monotonic() > deadline:
                raise StartupError(f"gave up waiting until {what}")
            time.sleep(0.2)

    def start_mongodb(self) -> str:
        if url := os.environ.get("MONGODB_URL"):
            say(f"using the MongoDB at {masked(url)} (MONGODB_URL)")
            return url
        if (executable := stand_in_executable()) is None:
            raise StartupError("secantusd-py (the MongoDB stand-in) is missing: run `make install`")
        data = Path(self.args.run_dir) / "mongo"
        if self.args.fresh and data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True, exist_ok=True)
        port = str(self.args.mongo_port)
        command = [executable, "--host", "127.0.0.1", "--port", port, "--storage-path", str(data)]
        self.children.append(self.spawn("mongodb", [*command, "--log-level", "WARNING"], dict(os.environ)))
        self.wait_until(listening(self.args.mongo_port), "the MongoDB stand-in listens")
        return f"mongodb://127.0.0.1:{port}/?retryWrites=false&directConnection=true"

    def start_mail_catcher(self) -> str:
        if url := os.environ.get("SMTP_URL"):
            say(f"the notifier sends to {masked(url)} (SMTP_URL)")
            return url
        mail_dir = Path(self.args.run_dir) / "mail"
        script = str(ROOT / "scripts" / "mail_catcher.py")
        command = [sys.executable, script, "--port", str(self.args.mail_port), "--dir", str(mail_dir)]
        self.children.append(self.spawn("mail-catcher", command, dict(os.environ)))
        self.wait_until(listening(self.args.mail_port), "the mail catcher listens")
        return f"smtp://127.0.0.1:{self.args.mail_port}"

    def migrate(self) -> None:
        job = self.spawn("migrate", [sys.executable, "-m", "command_service", "migrate"], self.env)
        try:
            self.wait_until(lambda: not job.alive(), "the migrations are applied")
        finally:
            if job.alive():
                job.signal(signal.SIGTERM)
                job.process.wait(timeout=self.args.stop_timeout)
            job.pump.join(timeout=5)
        if job.process.returncode != 0:
            code, where = job.process.returncode, masked(self.env["POSTGRES_DSN"])
            raise StartupError(f"the migrations failed ({code}): is PostgreSQL up at {where}?")

    def prepare_identities(self) -> None:
        """Each service's own broker user; the key the services trust for tokens (development only)."""
        run_dir = Path(self.args.run_dir)
        try:
            urls = ensure_users(self.env["RABBITMQ_URL"], run_dir)
            ensure_policies(self.env["RABBITMQ_URL"])
            if retire_classic_intake(self.env["RABBITMQ_URL"]):
                say("deleted the empty classic command queue of an earlier run (it is a quorum queue now)")
        except BrokerSetupError as error:
            raise StartupError(str(error)) from None
        trust = DevelopmentIssuer.ensure(run_dir / "auth").settings()
        for name, settings in self.service_env.items():
            settings |= trust
            if name in urls:
                settings["RABBITMQ_URL"] = urls[name]
        # The guests' data keys are wrapped by a master key kept under the run dir (development only);
        # the query service never opens personal data and gets none.
        master_keys = self.env.get("PII_MASTER_KEYS") or ensure_development_master_keys(run_dir / "pii")
        for name in ("command-service", "projector", "notifier"):
            self.service_env[name]["PII_MASTER_KEYS"] = master_keys
        # Development only: commands sent with the broker's admin credentials (`guest`) may do anything.
        # docker compose has no such user and maps nothing to it.
        intake = self.service_env["command-service"]
        # A 202's `Location` names the query service, which listens on a port of its own.
        query_url = f"http://127.0.0.1:{self.ports['query-service']}"
        intake["QUERY_SERVICE_PUBLIC_URL"] = self.env.get("QUERY_SERVICE_PUBLIC_URL") or query_url
        intake["AMQP_SENDERS"] = self.env.get("AMQP_SENDERS") or json.dumps({self.admin: "service"})
        grants = {self.admin: "*", **SAMPLE_SENDER_GRANTS}
        intake["SERVICE_GRANTS"] = self.env.get("SERVICE_GRANTS") or json.dumps(grants)

    def start_services(self) -> None:
        for name, package in PACKAGES.items():
            for replica, port in enumerate(replica_ports(name, self.ports[name], self.args.replicas)):
                env = {**self.env, **self.service_env[name], "PORT": str(port)}
                if "RABBITMQ_URL" not in self.service_env[name]:  # no broker user: not the admin's either
                    del env["RABBITMQ_URL"]
                label = f"{name}-{replica + 1}" if replica else name
                if extra := self.overrides.get(name, {}) | self.overrides.get(label, {}):
                    env |= extra
                    say(f"{label} gets SERVICE_ENV's {', '.join(sorted(extra))}")
                command = [sys.executable, "-m", package]
                self.children.append(Child(label, command, env, ROOT, f"http://127.0.0.1:{port}"))
        for child in self.children:
            if child.url:
                self.wait_until(healthy(child.url), f"{child.name} answers {child.url}/healthz")

    def run(self) -> int:
        """Start everything, then keep it running (restarting what exits) until asked to stop."""
        try:
            self.prepare_identities()
            self.env["MONGODB_URL"] = self.start_mongodb()
            self.service_env["notifier"]["SMTP_URL"] = self.start_mail_catcher()
            self.migrate()
            self.start_services()
        except StartupError as error:
            say(
                f"stopped before Innkeeper was up: {error}"
                if self.stop.is_set()
                else f"cannot start: {error}"
            )
            self.stop_all()
            return 0 if self.stop.is_set() else 1
        self.print_table()
        # Up: from now on a child that exits is started again (compose's `restart: unless-stopped`).
        while not self.stop.wait(0.2):
            for child in self.children:
                child.supervise()
        self.stop_all()
        say("stopped")
        return 0

    def print_table(self) -> None:
        rows = [(child.name, child.url, str(child.process.pid)) for child in self.children if child.url]
        mongo = next((child for child in self.children if child.name == "mongodb"), None)
        mongo_url = masked(self.env["MONGODB_URL"]).split("?")[0]
        rows.append(("mongodb", mongo_url, str(mongo.process.pid) if mongo else "(external)"))
        catcher = next((child for child in self.children if child.name == "mail-catcher"), None)
        smtp = masked(self.service_env["notifier"].get("SMTP_URL", ""))
        rows.append(("smtp", smtp, str(catcher.process.pid) if catcher else "(external)"))
        rows.append(("postgresql", masked(self.env["POSTGRES_DSN"]), "(local)"))
        rows.append(("rabbitmq", masked(self.env["RABBITMQ_URL"]), "(local; management UI on :15672)"))
        users = ", ".join(
            f"{name} as {urlsplit(env['RABBITMQ_URL']).username}"
            for name, env in self.service_env.items()
            if "RABBITMQ_URL" in env
        )
        width = max(len(url) for _, url, _ in rows) + 2
        names = max(17, *(len(name) + 2 for name, _, _ in rows))  # replicas: "command-service-2"
        lines = ["", f"  {'SERVICE':<{names}}{'WHERE':<{width}}PID"]
        lines += [f"  {name:<{names}}{url:<{width}}{pid}" for name, url, pid in rows]
        run_dir = Path(self.args.run_dir)
        lines.append("")
        if mongo:
            lines.append(f"  MongoDB is the SecantusDB stand-in, data in {run_dir / 'mongo'}.")
        if catcher:
            lines.append(f"  Mails the notifier sends are kept, one .eml file each, in {run_dir / 'mail'}/.")
        lines += [
            f"  RabbitMQ users: {users};",
            f"  their passwords are in {run_dir / PASSWORDS_FILE}.",
            f"  Commands over AMQP with user_id={self.admin} may do anything (development only).",
            "  The HTTP APIs want a bearer token: `make token ROLE=admin` prints one.",
            "  Innkeeper is running: try `make demo`. Ctrl-C stops everything.",
            "",
        ]
        with OUTPUT:
            print("\n".join(lines), flush=True)

    def stop_all(self) -> None:
        """SIGTERM the services, then the stand-in and the catcher (the services may need them to stop)."""
        services = [child for child in self.children if child.name not in INFRASTRUCTURE]
        infrastructure = [child for child in self.children if child.name in INFRASTRUCTURE]
        stop_in_order([services, infrastructure], self.args.stop_timeout)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    option, env = parser.add_argument, os.environ.get
    option("--command-port", type=int, default=int(env("COMMAND_PORT", "8001")))
    option("--query-port", type=int, default=int(env("QUERY_PORT", "8002")))
    option("--projector-port", type=int, default=int(env("PROJECTOR_PORT", "8003")))
    option("--notifier-port", type=int, default=int(env("NOTIFIER_PORT", "8004")))
    option("--mongo-port", type=int, default=int(env("MONGO_PORT", "27017")), help="of the stand-in")
    option("--mail-port", type=int, default=int(env("MAIL_PORT", "1025")), help="of the mail catcher")
    option("--run-dir", default=env("RUN_DIR", str(ROOT / ".run")), help="local data (default .run/)")
    option("--fresh", action="store_true", help="start the stand-in with an empty read model")
    option("--stop-timeout", type=float, default=float(env("STOP_TIMEOUT", "15")), help="seconds")
    option(
        "--replicas",
        type=int,
        default=int(env("REPLICAS", "1")),
        help="processes of the command service, query service and projector (ports + 100 each)",
    )
    args = parser.parse_args()
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    return args


def main() -> int:
    args = parse_args()
    bases = {"command-service": args.command_port, "query-service": args.query_port}
    bases |= {"projector": args.projector_port, "notifier": args.notifier_port}
    ports = [port for name, base in bases.items() for port in replica_ports(name, base, args.replicas)]
    ports += [] if os.environ.get("MONGODB_URL") else [args.mongo_port]
    ports += [] if os.environ.get("SMTP_URL") else [args.mail_port]
    if busy := [port for port in ports if not port_is_free(port)]:
        taken = ", ".join(map(str, busy))
        say(f"port(s) {taken} already in use (another `make run`?): choose others, see --help")
        return 1
    # PostgreSQL, RabbitMQ with its plugins, MongoDB: one line naming what is missing (exit 4).
    if code := preflight("run"):
        return code
    try:
        supervisor = Supervisor(args)
    except StartupError as error:
        say(f"cannot start: {error}")
        return 1
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, frame: supervisor.stop.set())
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
