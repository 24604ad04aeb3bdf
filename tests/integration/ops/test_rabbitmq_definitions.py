"""docker compose's RabbitMQ: the users, vhost and permissions it loads (deploy/rabbitmq/definitions.json)
follow the one permission table (permissions.json), every service connects as its own user with the
password whose hash the broker holds, nobody is `guest`, and the operations guide shows the same table."""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
from testkit.infra import unique_name

from command_service.settings import Settings as CommandSettings
from innkeeper_contracts.topology import COMMANDS_DEAD_LETTER_QUEUE
from ops.broker import (
    DEFINITIONS_FILE,
    KINDS,
    BrokerUser,
    BrokerUsers,
    as_user,
    broker_users,
    connected,
    password_matches,
    permission_table,
    permissions_for,
)
from ops.repo import ROOT, compose, required, services, with_defaults

RABBITMQ_DIR = ROOT / "deploy" / "rabbitmq"
USES_RABBITMQ = {"command-service": "command-service", "projector": "projector", "notifier": "notifier"}
"""Compose service → its role in the permission table; no other service has a RabbitMQ URL."""


@cache
def definitions() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DEFINITIONS_FILE.read_text())
    return loaded


def url_of(service: str) -> Any:
    return urlsplit(with_defaults(services()[service]["environment"]["RABBITMQ_URL"]))


def command_service_setting(name: str) -> Any:
    return json.loads(services()["command-service"]["environment"][name])


def roles() -> dict[str, str]:
    """Each user of the definitions → its role: by the compose URL that names it, AMQP_SENDERS, or tag."""
    found = {url_of(service).username: role for service, role in USES_RABBITMQ.items()}
    found |= dict.fromkeys(command_service_setting("AMQP_SENDERS"), "sender")
    found |= {u["name"]: "admin" for u in definitions()["users"] if "administrator" in u["tags"]}
    return found


def passwords() -> dict[str, str]:
    """User → development password, from docs/running.md: the services' as the values of the required
    variables their compose URLs take the password from, the admin's and the sample sender's as shown."""
    text = (ROOT / "docs" / "running.md").read_text()
    development = dict(re.findall(r"^([A-Z][A-Z0-9_]*_PASSWORD)=([\w-]+)$", text, re.MULTILINE))
    found = {}
    for service in USES_RABBITMQ:
        [variable] = required(services()[service]["environment"]["RABBITMQ_URL"])
        found[url_of(service).username] = development[variable]
    found |= dict(re.findall(r"amqp://([\w-]+):([\w-]+)@localhost:5672/innkeeper", text))
    found |= dict(re.findall(r"user `([\w-]+)`, password `([\w-]+)`", text))
    return found


def test_each_service_that_uses_rabbitmq_connects_as_its_own_user_to_the_innkeeper_vhost() -> None:
    having_url = {
        name for name, service in services().items() if "RABBITMQ_URL" in service.get("environment", {})
    }
    assert having_url == set(USES_RABBITMQ), "the query service and the migrate job need no broker user"
    users = [url_of(service).username for service in USES_RABBITMQ]
    assert users == ["innkeeper-command-service", "innkeeper-projector", "innkeeper-notifier"]
    assert {unquote(url_of(service).path[1:]) for service in USES_RABBITMQ} == {"innkeeper"}
    assert [vhost["name"] for vhost in definitions()["vhosts"]] == ["innkeeper"]


def test_the_definitions_give_each_user_exactly_its_row_of_the_permission_table() -> None:
    assert {user["name"] for user in definitions()["users"]} == set(roles())
    assert set(roles().values()) == set(permission_table()), "every role of the table has a user"
    granted = {p["user"]: {kind: p[kind] for kind in KINDS} for p in definitions()["permissions"]}
    assert granted == {user: permissions_for(role, user) for user, role in roles().items()}
    assert {p["vhost"] for p in definitions()["permissions"]} == {"innkeeper"}
    assert definitions()["topic_permissions"] == []
    tagged = {user["name"] for user in definitions()["users"] if user["tags"]}
    assert tagged == {user for user, role in roles().items() if role == "admin"}, "services get no UI"


def test_the_password_hashes_match_the_passwords_compose_and_the_docs_use() -> None:
    known = passwords()
    for user in definitions()["users"]:
        assert user["hashing_algorithm"] == "rabbit_password_hashing_sha256"
        assert password_matches(known[user["name"]], user["password_hash"]), user["name"]


def test_nobody_is_guest_and_the_sample_sender_may_book_and_cancel() -> None:
    rabbitmq = services()["rabbitmq"]
    assert not any(key.startswith("RABBITMQ_DEFAULT_") for key in rabbitmq.get("environment", {}))
    assert "guest" not in roles()
    assert command_service_setting("AMQP_SENDERS") == {"partner-portal": "service"}
    assert command_service_setting("SERVICE_GRANTS") == {"partner-portal": ["BookStay", "CancelBooking"]}
    assert [value for value in strings(compose()) if "guest" in value] == []


def strings(node: Any) -> Iterator[str]:
    """Every key and value of a parsed YAML document (comments are not in it)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    else:
        yield str(node)


def test_rabbitmq_loads_the_definitions_through_its_mounted_config() -> None:
    mounts = {}
    for volume in services()["rabbitmq"]["volumes"]:
        source, target = with_defaults(volume).split(":")[:2]
        mounts[target] = source
    assert mounts["/etc/rabbitmq/rabbitmq.conf"] == "./deploy/rabbitmq/rabbitmq.conf"
    assert mounts["/etc/rabbitmq/definitions.json"] == "./deploy/rabbitmq/definitions.json"
    settings = [
        line for line in (RABBITMQ_DIR / "rabbitmq.conf").read_text().splitlines() if line[:1].isalpha()
    ]
    assert settings == [
        "load_definitions = /etc/rabbitmq/definitions.json",
        "max_message_size = 1048576",
        "total_memory_available_override_value = 1GB",  # its container's limit (test_compose_production)
    ]


def test_the_broker_takes_every_command_the_command_service_takes() -> None:
    """Between the two bounds a command is answered `too-large` and dead-lettered by the service; above
    the broker's, the publisher's channel is closed."""
    conf = dict(
        line.split(" = ", 1)
        for line in (RABBITMQ_DIR / "rabbitmq.conf").read_text().splitlines()
        if line[:1].isalpha()
    )
    assert int(conf["max_message_size"]) > CommandSettings.model_fields["amqp_max_command_bytes"].default


def test_the_operations_guide_shows_the_permission_table() -> None:
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## RabbitMQ users and permissions", 1)[1].split("\n## ", 1)[0]
    shown = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]  # a `\|` stays in its cell
        if len(cells) == 6 and cells[0] in permission_table():
            shown[cells[0]] = {
                kind: cells[2 + i].strip("`").replace("\\|", "|") for i, kind in enumerate(KINDS)
            }
    table = {role: {kind: row[kind] for kind in KINDS} for role, row in permission_table().items()}
    assert shown == {role: table[role] for role in shown}, "a row of the guide differs from the table"
    assert shown == table


@pytest.fixture
def users(rabbitmq_url: str) -> Iterator[BrokerUsers]:
    with broker_users(rabbitmq_url) as made:
        yield made


async def test_the_broker_imports_the_definitions_and_each_password_logs_in(users: BrokerUsers) -> None:
    """The file as RabbitMQ reads it at boot, its users renamed and its vhost the test's: nothing shared."""
    known = passwords()
    renamed = {user["name"]: unique_name(f"test-{user['name']}") for user in definitions()["users"]}
    copy = json.loads(DEFINITIONS_FILE.read_text())
    copy["vhosts"] = [{"name": users.vhost}]
    for entry in copy["users"]:
        entry["name"] = renamed[entry["name"]]
    for entry in copy["permissions"]:
        entry["user"], entry["vhost"] = renamed[entry["user"]], users.vhost
    for entry in copy["policies"]:
        entry["vhost"] = users.vhost
    users.made += renamed.values()
    users.api.post("/api/definitions", json=copy).raise_for_status()
    where = quote(users.vhost, safe="")
    applied = {policy["name"]: policy for policy in users.api.get(f"/api/policies/{where}").json()}
    assert set(applied) == {policy["name"] for policy in definitions()["policies"]}
    for entry in definitions()["permissions"]:
        name = renamed[entry["user"]]
        granted = users.api.get(f"/api/permissions/{quote(users.vhost, safe='')}/{name}").json()
        assert {kind: granted[kind] for kind in KINDS} == {kind: entry[kind] for kind in KINDS}
        login = as_user(users.amqp_url, name, known[entry["user"]])
        async with connected(BrokerUser(name, login)):  # refused if the hash were of another password
            pass


def test_command_dead_letters_which_hold_personal_data_in_clear_expire() -> None:
    """A command that could not be read stays in its dead-letter queue with the guest's name and e-mail as
    sent: the broker drops it after the retention the policy sets (docs/operations.md)."""
    [policy] = [p for p in definitions()["policies"] if p["name"].endswith("dead-letter-retention")]
    assert re.fullmatch(policy["pattern"], COMMANDS_DEAD_LETTER_QUEUE)
    assert policy["apply-to"] == "queues"
    assert 0 < policy["definition"]["message-ttl"] <= 31 * 24 * 3600 * 1000  # a month at most (GDPR)


def test_make_run_applies_the_policies_compose_loads_to_its_vhost(users: BrokerUsers) -> None:
    spec = importlib.util.spec_from_file_location("local_broker", ROOT / "scripts" / "local_broker.py")
    assert spec is not None
    assert spec.loader is not None
    local_broker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(local_broker)
    local_broker.ensure_policies(users.amqp_url)
    applied = users.api.get(f"/api/policies/{quote(users.vhost, safe='')}").json()
    expected = {policy["name"]: policy["definition"] for policy in definitions()["policies"]}
    assert {policy["name"]: policy["definition"] for policy in applied} == expected
