"""`make run`'s RabbitMQ users: one per service, with its row of deploy/rabbitmq/permissions.json.

Made, or brought up to date, at every start through the management API as the admin user of RABBITMQ_URL
(`guest` by default). Their passwords are generated once and kept in `<run dir>/rabbitmq-users.json`,
readable by this user only. Users are broker-wide (their permissions are per vhost): RABBITMQ_USER_PREFIX
(default `innkeeper-`) keeps another checkout's or a test's users apart.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
PERMISSIONS = ROOT / "deploy" / "rabbitmq" / "permissions.json"
DEFINITIONS = ROOT / "deploy" / "rabbitmq" / "definitions.json"
ROLES = {"command-service": "command-service", "projector": "projector", "notifier": "notifier"}
"""Service → its role in the permission table (the query service has no broker user)."""
PASSWORDS_FILE = "rabbitmq-users.json"


class BrokerSetupError(Exception):
    """The users could not be made; the message says why."""


def permissions(role: str, user: str) -> dict[str, str]:
    """The role's patterns; `{user}` is the user name with all but letters, digits, `-`, `_` escaped."""
    row: dict[str, str] = json.loads(PERMISSIONS.read_text())["roles"][role]
    escaped = re.sub(r"[^A-Za-z0-9_-]", lambda found: "\\" + found.group(), user)
    return {kind: row[kind].replace("{user}", escaped) for kind in ("configure", "write", "read")}


def vhost(amqp_url: str) -> str:
    return unquote(urlsplit(amqp_url).path[1:]) or "/"


def with_user(amqp_url: str, user: str, password: str) -> str:
    parts = urlsplit(amqp_url)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname or "127.0.0.1"
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}:{parts.port or 5672}"
    return urlunsplit(parts._replace(netloc=netloc))


def passwords(run_dir: Path, users: list[str]) -> dict[str, str]:
    """The kept passwords, with new ones for users that have none yet (written back, mode 0600)."""
    path = run_dir / PASSWORDS_FILE
    kept: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    if missing := [user for user in users if user not in kept]:
        kept |= {user: secrets.token_urlsafe(24) for user in missing}
        run_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            json.dump(kept, file, indent=2)
        partial.replace(path)
    path.chmod(0o600)  # also when an older file was made with another mode
    return kept


class ManagementApi:
    """The few calls needed, with the credentials of the AMQP URL (or RABBITMQ_MANAGEMENT_URL's)."""

    def __init__(self, amqp_url: str) -> None:
        explicit = os.environ.get("RABBITMQ_MANAGEMENT_URL", "")
        parts = urlsplit(explicit or amqp_url)
        credentials = f"{unquote(parts.username or 'guest')}:{unquote(parts.password or 'guest')}"
        self.auth = "Basic " + base64.b64encode(credentials.encode()).decode()
        where = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}" if explicit else ""
        self.base = where or f"http://{parts.hostname or '127.0.0.1'}:15672"

    def put(self, path: str, body: dict[str, Any]) -> None:
        self.call("PUT", path, body)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The answer's JSON (None for an empty one, or a 404 on GET)."""
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": self.auth, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                text = answer.read()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            if error.code == 404 and method == "GET":
                return None
            detail = error.read().decode(errors="replace")[:200]
            raise BrokerSetupError(
                f"RabbitMQ's management API refused {method} {path}: {error.code} {detail}"
            ) from None
        except (urllib.error.URLError, OSError) as error:
            raise BrokerSetupError(
                f"cannot reach RabbitMQ's management API at {self.base} ({error}): is the "
                "rabbitmq_management plugin enabled?"
            ) from None


def ensure_users(amqp_url: str, run_dir: Path) -> dict[str, str]:
    """Make (or update) each service's user with its permissions on the vhost of `amqp_url`; returns
    service → the AMQP URL it connects with."""
    prefix = os.environ.get("RABBITMQ_USER_PREFIX", "innkeeper-")
    users = {service: f"{prefix}{service}" for service in ROLES}
    kept = passwords(run_dir, sorted(users.values()))
    api, where = ManagementApi(amqp_url), quote(vhost(amqp_url), safe="")
    for service, user in users.items():
        api.put(f"/api/users/{quote(user, safe='')}", {"password": kept[user], "tags": ""})
        api.put(f"/api/permissions/{where}/{quote(user, safe='')}", permissions(ROLES[service], user))
    return {service: with_user(amqp_url, user, kept[user]) for service, user in users.items()}


def ensure_policies(amqp_url: str) -> list[str]:
    """Apply the policies of deploy/rabbitmq/definitions.json (compose loads them at the broker's start)
    to the vhost of `amqp_url`: the command dead letters' retention, which hold guests' personal data in
    clear; returns their names."""
    api, where = ManagementApi(amqp_url), quote(vhost(amqp_url), safe="")
    names = []
    for policy in json.loads(DEFINITIONS.read_text()).get("policies", []):
        body = {key: policy[key] for key in ("pattern", "apply-to", "priority", "definition")}
        api.put(f"/api/policies/{where}/{quote(policy['name'], safe='')}", body)
        names.append(policy["name"])
    return names


def retire_classic_intake(amqp_url: str, queue: str = "innkeeper.commands.intake") -> bool:
    """An intake queue left by an earlier `make run` as a classic queue cannot become the quorum queue
    the command service declares now: delete it when it is empty (returns True), refuse when it is not."""
    api, where = ManagementApi(amqp_url), quote(vhost(amqp_url), safe="")
    found = api.call("GET", f"/api/queues/{where}/{quote(queue, safe='')}")
    if found is None or found.get("type") == "quorum":
        return False
    if found.get("messages", 0):
        raise BrokerSetupError(
            f"the classic queue {queue} from an earlier run holds {found['messages']} command(s); the "
            "command service now uses a quorum queue. Move or purge them in the management UI, then "
            "start again."
        )
    api.call("DELETE", f"/api/queues/{where}/{quote(queue, safe='')}?if-empty=true")
    return True
