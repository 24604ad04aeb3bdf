"""The kit's checks against this machine's servers: each passes here, and each names what is missing
and its fix when the prerequisite is taken away (without taking it from the shared servers)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import httpx
import pytest
from testkit.infra import free_port, management_url, unique_name

from innkeeper_kit.preflight import Check, first_missing
from innkeeper_kit.preflight.mongodb import mongodb_reachable
from innkeeper_kit.preflight.ports import port_free
from innkeeper_kit.preflight.postgres import postgres_migrated, postgres_reachable
from innkeeper_kit.preflight.rabbitmq import CONSISTENT_HASH, rabbitmq_management, rabbitmq_ready
from preflight.conftest import module


async def test_every_check_passes_on_this_machine(
    postgres_server: str, rabbitmq_url: str, mongodb_server: str
) -> None:
    checks: list[Check] = [
        postgres_reachable(postgres_server),
        rabbitmq_ready(rabbitmq_url, CONSISTENT_HASH),
        rabbitmq_management(rabbitmq_url),
        mongodb_reachable(mongodb_server),
        port_free(free_port()),
    ]
    for check in checks:
        assert await check() is None


async def test_migrated_passes_once_the_command_service_migrated(postgres_dsn: str) -> None:
    missing = await postgres_migrated(postgres_dsn)()
    assert missing is not None
    assert missing.fix == "run `make migrate` (python -m command_service migrate)"
    assert module("command_service", "migrate", POSTGRES_DSN=postgres_dsn).code == 0
    assert await postgres_migrated(postgres_dsn)() is None


async def test_an_exchange_type_no_broker_has_names_its_plugin(
    rabbitmq_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """The shared broker keeps its plugins: the check is asked for a type that no broker has."""
    check = rabbitmq_ready(rabbitmq_url, {"x-no-broker-has-this": "rabbitmq_imaginary_exchange"})
    finding = await first_missing([check])
    assert finding is not None
    assert finding.line.endswith("— rabbitmq-plugins enable rabbitmq_imaginary_exchange")
    assert "has no exchange type x-no-broker-has-this" in finding.line
    assert not finding.unreachable  # waiting does not bring a plugin
    assert capfd.readouterr().err == ""  # the driver's traceback of the closed connection is silenced


async def test_the_exchange_type_check_leaves_no_exchange_behind(rabbitmq_url: str) -> None:
    assert await rabbitmq_ready(rabbitmq_url, CONSISTENT_HASH)() is None
    api, vhost = management_url(rabbitmq_url), quote(urlsplit(rabbitmq_url).path[1:], safe="")
    async with httpx.AsyncClient(timeout=10) as client:
        exchanges = (await client.get(f"{api}/api/exchanges/{vhost}")).json()
    assert [exchange["name"] for exchange in exchanges if "preflight" in exchange["name"]] == []


async def test_a_service_user_that_may_configure_nothing_passes_the_type_check(rabbitmq_url: str) -> None:
    """The services run as users who may configure only their own names: the broker finds the type
    before it refuses the throwaway name, so a refusal means the type is there."""
    api, vhost = management_url(rabbitmq_url), quote(urlsplit(rabbitmq_url).path[1:], safe="")
    user = unique_name("preflight")
    async with httpx.AsyncClient(timeout=10) as client:
        (await client.put(f"{api}/api/users/{user}", json={"password": "pw", "tags": ""})).raise_for_status()
        try:
            nothing = {"configure": "^$", "write": ".*", "read": ".*"}
            (await client.put(f"{api}/api/permissions/{vhost}/{user}", json=nothing)).raise_for_status()
            parts = urlsplit(rabbitmq_url)
            restricted = parts._replace(netloc=f"{user}:pw@{parts.hostname}:{parts.port or 5672}").geturl()
            assert await rabbitmq_ready(restricted, CONSISTENT_HASH)() is None
            missing = await rabbitmq_ready(restricted, {"x-no-broker-has-this": "rabbitmq_imaginary"})()
            assert missing is not None
            assert missing.fix == "rabbitmq-plugins enable rabbitmq_imaginary"
        finally:
            await client.delete(f"{api}/api/users/{user}")


async def test_the_management_api_missing(rabbitmq_url: str) -> None:
    finding = await rabbitmq_management(rabbitmq_url, f"http://127.0.0.1:{free_port()}")()
    assert finding is not None
    assert finding.line.endswith(
        "— rabbitmq-plugins enable rabbitmq_management (or set RABBITMQ_MANAGEMENT_URL)"
    )
