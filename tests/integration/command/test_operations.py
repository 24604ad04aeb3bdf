"""Operations: migrations (CLI, concurrent replicas), metrics, health."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
from command_support import command_client, fetch, hotel_body
from prometheus_client.parser import text_string_to_metric_families
from testkit.infra import free_port
from testkit.services import ServiceProcess

from command_service.adapters.migrations import migrate

JSON = {"Content-Type": "application/json"}


async def test_two_replicas_migrating_at_once_apply_each_migration_once(postgres_dsn: str) -> None:
    connections = [await asyncpg.connect(postgres_dsn) for _ in range(3)]
    try:
        applied = await asyncio.gather(*(migrate(connection) for connection in connections))
    finally:
        for connection in connections:
            await connection.close()
    assert sorted(len(names) for names in applied) == [0, 0, 7]
    rows = await fetch(postgres_dsn, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert [(row["version"], row["name"]) for row in rows] == [
        (1, "write_model"),
        (2, "whole_stays"),
        (3, "identity"),
        (4, "management_contact"),
        (5, "full_nights_as_data"),
        (6, "outbox_traceparent"),
        (7, "guest_keys"),
    ]


def test_migrate_command_line(postgres_dsn: str) -> None:
    env = {**os.environ, "POSTGRES_DSN": postgres_dsn, "LOG_FORMAT": "json"}
    for _ in range(2):  # the second run finds nothing to do
        done = subprocess.run(
            [sys.executable, "-m", "command_service", "migrate"], env=env, capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    assert b"migrations.applied" in done.stderr


async def test_metrics_and_health(command_env: dict[str, str]) -> None:
    async with command_client(command_env) as client:
        assert (await client.post("/hotels", json=hotel_body())).status_code == 202
        # refused by the HTTP edge before the mediator: counted too, once each, by problem kind
        assert (await client.post("/hotels", json={"name": "Inn"})).status_code == 422
        assert (await client.post("/hotels", content=b"{not json", headers=JSON)).status_code == 400
        metrics = (await client.get("/metrics")).text
        assert answered(metrics, "RegisterHotel") == {"accepted": 1, "invalid-input": 1, "malformed-body": 1}
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        ready = await client.get("/readyz")
        assert (ready.status_code, ready.json()["postgres"], ready.json()["schema"]) == (200, "up", "up")


def answered(metrics: str, command: str) -> dict[str, float]:
    """The non-zero `innkeeper_commands_total` samples of `command`, by outcome."""
    return {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
        if sample.name == "innkeeper_commands_total" and sample.labels["command"] == command and sample.value
    }


def test_sigterm_stops_gracefully_with_exit_code_zero(command_env: dict[str, str], log_dir: Path) -> None:
    service = ServiceProcess("command_service", command_env, free_port(), log_dir).start()
    assert service.terminate() == 0
    assert "Application shutdown complete" in service.logs()


async def test_cors_preflight_when_origins_are_configured(command_env: dict[str, str]) -> None:
    async with command_client(command_env, cors_origins="https://app.example") as client:
        preflight = await client.options(
            "/bookings",
            headers={
                "Origin": "https://app.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Idempotency-Key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
