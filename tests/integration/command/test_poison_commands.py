"""Poison over AMQP jams nothing: each poisonous command message is answered and dead-lettered with its
reason, writes nothing, and the valid command sent right after it is applied. (Hostile values the
contracts refuse: test_hostile_values; malformed and invalid messages: test_invalid_input.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import orjson
from command_support import (
    command_sender,
    dead_letters,
    dead_letters_now,
    fetchval,
    hotel_body,
    wait_for_intake,
)
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess

REFUSED_NAME = "Poison Inn"
# A database error the contracts cannot foresee (the service knows nothing of this constraint).
REFUSE_IN_DATABASE = f"ALTER TABLE hotels ADD CONSTRAINT test_refuses CHECK (name <> '{REFUSED_NAME}')"


async def test_each_poison_is_answered_and_dead_lettered_and_the_next_command_is_applied(
    command_env: dict[str, str], log_dir: Path
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    service = ServiceProcess("command_service", command_env, free_port(), log_dir)
    async with (
        httpx.AsyncClient(headers=admin(), base_url=service.url, timeout=30) as client,
        command_sender(url) as sender,
    ):
        await asyncio.to_thread(service.start)
        try:
            await wait_for_intake(client)
            await fetchval(dsn, REFUSE_IN_DATABASE)
            poisons = {
                "too-large": (orjson.dumps(hotel_body() | {"name": "x" * 70_000}), None),
                "database-refuses": (orjson.dumps(hotel_body() | {"name": REFUSED_NAME}), None),
                "bad-key": (orjson.dumps(hotel_body()), "a key\u0000with a NUL"),
            }
            for label, (body, key) in poisons.items():
                await sender.send("RegisterHotel", body, correlation_id=label, message_id=key)
                valid = orjson.dumps(hotel_body())
                await sender.send("RegisterHotel", valid, correlation_id=f"after-{label}")
            await sender.wait_for_replies(2 * len(poisons))
            letters = {letter.correlation_id: letter for letter in await dead_letters(url, len(poisons))}
            logs = service.logs()
        finally:
            await asyncio.to_thread(service.terminate)

    for label in poisons:
        assert sender.reply_to(f"after-{label}")["status"] == "accepted", label
    too_large = sender.reply_to("too-large")
    assert (too_large["status"], too_large["type"]) == (413, "https://innkeeper.dev/problems/too-large")
    assert str(letters["too-large"].headers["x-rejection-reason"]).startswith("too-large: the body has")
    assert letters["too-large"].body == b"", "not kept: its size is in the reason"

    internal = sender.reply_to("database-refuses")
    assert (internal["status"], internal["type"], internal["correlation_id"]) == (
        500,
        "https://innkeeper.dev/problems/internal",
        "database-refuses",
    )
    assert "test_refuses" not in internal["detail"], "no internals"
    assert "Check" not in internal["detail"], "no internals"
    assert letters["database-refuses"].headers["x-rejection-reason"] == (
        "internal: CheckViolationError (logged under correlation id database-refuses)"
    )
    assert orjson.loads(letters["database-refuses"].body)["name"] == REFUSED_NAME
    [logged] = [line for line in logs.splitlines() if '"amqp.unexpected_error"' in line]
    assert orjson.loads(logged)["correlation_id"] == "database-refuses"
    assert "Traceback (most recent call last)" in orjson.loads(logged)["exception"], "readable, as text"

    bad_key = sender.reply_to("bad-key")
    assert (bad_key["status"], [error["loc"] for error in bad_key["errors"]]) == (422, [["message_id"]])

    assert await fetchval(dsn, "SELECT count(*) FROM hotels") == len(poisons)
    assert await fetchval(dsn, "SELECT count(*) FROM events") == len(poisons)
    assert await dead_letters_now(url) == 0, "nothing else was dead-lettered"
