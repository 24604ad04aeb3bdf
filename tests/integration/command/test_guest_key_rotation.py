"""The master key rotation (`python -m command_service rewrap-guest-keys`, a process as operators run it)
and the start refused without a master key: one line on stderr, exit 4 (the preflight's code)."""

from __future__ import annotations

import os
import subprocess
import sys

import asyncpg
from command_support import booking_body, command_client, fetch, hotel_body
from personal_data import NAME, events_of
from testkit.auth import pii_master_keys

from innkeeper_kit.personal import GuestKeyStore, MasterKeys, data_keys, open_sealed, sealed_key_id


def run(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "command_service", *arguments],
        env={**os.environ, **env, "LOG_FORMAT": "json"},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_rewrapping_after_a_new_master_key_keeps_every_guest_s_data_readable(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body()
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        booking_ids = []
        for guest in ("rosa-1", "rosa-2"):
            stay = booking_body(hotel["hotel_id"])
            stay["guest"] = {"guest_id": guest, "name": NAME, "email": f"{guest}@example.com"}
            answer = await client.post("/bookings", json=stay)
            assert answer.status_code == 202, answer.text
            booking_ids.append(answer.json()["booking_id"])

    rotated = f"{MasterKeys.new_setting('next')},{pii_master_keys()}"  # the new key first, the old after
    done = run({**command_env, "PII_MASTER_KEYS": rotated}, "rewrap-guest-keys")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "re-wrapped 2 guest keys under master key 'next'; 0 left"
    assert {row["master_key_id"] for row in await fetch(dsn, "SELECT master_key_id FROM guest_keys")} == {
        "next"
    }

    # Without the old master key now, the new one alone opens every guest's data.
    new_only = MasterKeys.parse(rotated.split(",")[0])
    sealed = (await events_of(dsn, booking_ids[0]))[0][1]["guest"]["name"]
    connection = await asyncpg.connect(dsn)
    try:
        keys = await data_keys(connection, new_only, [sealed_key_id(sealed)])
        assert await GuestKeyStore(new_only).rewrap(connection) == 0  # nothing left to re-wrap
    finally:
        await connection.close()
    assert open_sealed(sealed, keys[sealed_key_id(sealed)]) == NAME

    again = run({**command_env, "PII_MASTER_KEYS": rotated}, "rewrap-guest-keys")
    assert again.stdout.strip() == "re-wrapped 0 guest keys under master key 'next'; 0 left"


def test_the_service_does_not_start_without_a_master_key(command_env: dict[str, str]) -> None:
    refused = run({**command_env, "PII_MASTER_KEYS": ""}, "serve")
    assert refused.returncode == 4
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("command-service: PII_MASTER_KEYS is not set")
    assert "PII_MASTER_KEYS" in line
