"""`python -m command_service dead-letters` on the real broker: listing and showing leave every dead letter
in its place (however often), retry applies a fixed command once even when it reaches the intake twice,
discard removes exactly what it names, and a retry goes out as the command's own sender."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager, redirect_stdout
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit
from uuid import uuid4

import aio_pika
import httpx
import orjson
from command_support import (
    CommandSender,
    booking_body,
    command_client,
    command_sender,
    dead_letters_now,
    fetchval,
    hotel_body,
    wait_for_intake,
)
from testkit.infra import management_url, unique_name
from testkit.waiting import wait_until

from command_service.cli import dead_letter_actions as dead_letters
from command_service.cli import dead_letter_queue
from command_service.cli.dead_letter_message import DeadLetter
from command_service.settings import Settings
from innkeeper_contracts.topology import COMMANDS_DEAD_LETTER_EXCHANGE, COMMANDS_EXCHANGE, COMMANDS_QUEUE

FIXABLE_NAME = "Refused Until Fixed Inn"
REFUSE = f"ALTER TABLE hotels ADD CONSTRAINT test_refuses CHECK (name <> '{FIXABLE_NAME}')"


async def handled(client: httpx.AsyncClient) -> float:
    """RegisterHotel commands the service's pipeline answered, whatever the answer (its /metrics): two
    copies taken at once answer 202 and 409 `conflict` (the id taken), one after the other 202 twice
    (replayed)."""
    prefix = 'innkeeper_commands_total{command="RegisterHotel",'
    lines = (await client.get("/metrics")).text.splitlines()
    return sum(float(line.rsplit(" ", 1)[1]) for line in lines if line.startswith(prefix))


def settings(url: str) -> Settings:
    return Settings(rabbitmq_url=url)


async def captured(action: Awaitable[int]) -> tuple[int, str]:
    """The tool's exit code and what it printed (not pytest's capsys: the service's log set-up would
    keep writing to a capture that closes with its test)."""
    printed = io.StringIO()
    with redirect_stdout(printed):
        code = await dead_letter_queue.run(action)
    return code, printed.getvalue()


async def queue_order(url: str) -> list[str]:
    """The dead letters' ids in queue order, read (and given back) the way the tool reads them."""
    async with dead_letter_queue.opened(settings(url)) as letters:
        return [letter.id async for _, letter in letters.letters()]


def detail(sender: CommandSender, correlation_id: str) -> str:
    """What the rejection the intake answered says: a dead letter's reason ends with it."""
    return str(sender.reply_to(correlation_id)["detail"])


async def wait_for_dead_letters(url: str, count: int) -> None:
    async def arrived() -> bool:
        return bool(await dead_letters_now(url) == count)

    await wait_until(arrived, what=f"{count} dead letters")


async def test_list_and_show_leave_every_dead_letter_in_place(command_env: dict[str, str]) -> None:
    url = command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        await sender.send("RegisterHotel", b"{not json", message_id="malformed-1", correlation_id="malformed")
        invalid = booking_body(str(uuid4()), guests="two")  # carries the guest's name and address
        await sender.send("BookStay", orjson.dumps(invalid), message_id="invalid-1", correlation_id="invalid")
        await sender.wait_for_replies(2)
        await wait_for_dead_letters(url, 2)

    code, listed = await captured(dead_letters.list_letters(settings(url)))
    assert code == 0
    *lines, total = listed.splitlines()
    assert total == "2 dead letters"
    [malformed_line] = [line for line in lines if " RegisterHotel " in line]
    [invalid_line] = [line for line in lines if " BookStay " in line]
    assert malformed_line.endswith(detail(sender, "malformed"))
    assert detail(sender, "invalid")[:100] in invalid_line
    assert all(" guest " in line for line in lines), "the sender"
    order = await queue_order(url)
    for _ in range(12):  # more often than any delivery limit (the intake's is 10)
        assert await queue_order(url) == order
    assert (await captured(dead_letters.list_letters(settings(url))))[1] == listed
    assert await dead_letters_now(url) == 2

    code, shown = await captured(dead_letters.show(settings(url), ["invalid-1"]))
    assert code == 0
    letter = orjson.loads(shown)
    assert letter["id"] == invalid_line.split()[0]
    assert letter["reason"].endswith(detail(sender, "invalid"))
    assert letter["body"]["guests"] == "two"
    assert letter["body"]["guest"] == "[redacted]"
    assert "Ann Berg" not in shown
    assert "ann@example.com" not in shown
    assert await dead_letters_now(url) == 2

    cli = await asyncio.to_thread(run_cli, url, "dead-letters", "show", "--id", "no-such-letter")
    assert cli.returncode == 1
    assert "no-such-letter: no such dead letter" in cli.stdout
    cli = await asyncio.to_thread(run_cli, url, "dead-letters", "list")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines()[-1] == "2 dead letters"
    assert await dead_letters_now(url) == 2


async def test_retry_applies_a_fixed_command_once_and_discard_removes_only_its_own(
    command_env: dict[str, str],
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client, command_sender(url) as sender:
        await wait_for_intake(client)
        await fetchval(dsn, REFUSE)
        fixable = orjson.dumps(hotel_body() | {"name": FIXABLE_NAME})
        await sender.send("RegisterHotel", fixable, message_id="fixable-1", correlation_id="fixable")
        await sender.send("RegisterHotel", b"[", message_id="junk-1")
        await sender.send("RegisterHotel", b"{", message_id="junk-2")
        await sender.wait_for_replies(3)
        await wait_for_dead_letters(url, 3)
        await fetchval(dsn, "ALTER TABLE hotels DROP CONSTRAINT test_refuses")  # the fix

        # A retry that crashed between its confirmed copy and the ack: the copy went, the letter stayed.
        before = await handled(client)
        async with dead_letter_queue.opened(settings(url)) as letters:
            [(_, letter)] = await letters.chosen(["fixable-1"])
            await letters.commands.publish(letter.resend(), routing_key=letter.command)
        code, out = await captured(dead_letters.retry(settings(url), ["fixable-1"]))
        assert (code, out.splitlines()[-1]) == (0, "retried 1 dead letters")

        async def both_answered() -> bool:
            return await handled(client) - before == 2

        await wait_until(both_answered, what="both re-sent copies answered")
        code, out = await captured(dead_letters.retry(settings(url), ["fixable-1"]))
        assert (code, out.splitlines()[-1]) == (1, "fixable-1: no such dead letter")

        assert await fetchval(dsn, "SELECT count(*) FROM hotels WHERE name = $1", FIXABLE_NAME) == 1
        assert await fetchval(dsn, "SELECT count(*) FROM events") == 1
        assert await dead_letters_now(url) == 2

    junk_ids = await queue_order(url)
    code, out = await captured(dead_letters.discard(settings(url), [junk_ids[0]]))
    assert (code, out.splitlines()[-1]) == (0, "discarded 1 dead letters")
    assert await queue_order(url) == junk_ids[1:]
    code, out = await captured(dead_letters.discard(settings(url), [junk_ids[0]]))
    assert code == 1
    assert await queue_order(url) == junk_ids[1:]


async def test_a_retry_goes_out_as_its_sender_which_takes_an_impersonator(
    command_env: dict[str, str],
) -> None:
    dsn, url = command_env["POSTGRES_DSN"], command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client:  # declares the topology
        await wait_for_intake(client)
    with (
        broker_user(url, "dl_sender") as (sender, sender_url),
        broker_user(url, "dl_operator", "impersonator") as (
            _,
            operator_url,
        ),
    ):
        hotel = hotel_body()
        await rejected_by_the_broker(url, sender_url, sender, orjson.dumps(hotel))
        await wait_for_dead_letters(url, 1)
        [letter_id] = await queue_order(url)
        code, shown = await captured(dead_letters.show(settings(url), [letter_id]))
        assert orjson.loads(shown)["reason"].startswith("rejected (dead-lettered by the broker from")
        assert orjson.loads(shown)["sender"] == sender

        code, out = await captured(dead_letters.retry(settings(url), None))
        assert code == 1
        assert "impersonator" in out
        assert await queue_order(url) == [letter_id], "kept"

        code, out = await captured(dead_letters.retry(settings(operator_url), None))
        assert (code, out.splitlines()[-1]) == (0, "retried 1 dead letters")
        assert await dead_letters_now(url) == 0

        grants: dict[str, Any] = {"amqp_senders": {sender: "service"}, "service_grants": {sender: "*"}}
        async with command_client(command_env, **grants):

            async def registered() -> bool:
                return bool(await fetchval(dsn, "SELECT count(*) FROM hotels") == 1)

            await wait_until(registered, what="the re-sent command applied, as its sender")
    assert await fetchval(dsn, "SELECT name FROM hotels") == hotel["name"]


async def test_a_copy_the_intake_would_not_take_stays_a_dead_letter(command_env: dict[str, str]) -> None:
    url = command_env["RABBITMQ_URL"]
    async with command_client(command_env) as client:  # declares the topology
        await wait_for_intake(client)
    connection = await aio_pika.connect(url)
    async with connection:  # placed through the dead-letter exchange, as the intake does
        channel = await connection.channel()
        dead_letter_exchange = await channel.get_exchange(COMMANDS_DEAD_LETTER_EXCHANGE, ensure=False)
        for command in ("NoSuchCommand", "RegisterHotel"):
            headers: dict[str, Any] = {"x-rejection-reason": "test", "x-original-routing-key": command}
            headers["x-original-user-id"] = "guest"
            message = aio_pika.Message(orjson.dumps(hotel_body()), headers=headers, message_id=command)
            await dead_letter_exchange.publish(message, command)
    await wait_for_dead_letters(url, 2)
    held = await queue_order(url)

    code, out = await captured(dead_letters.retry(settings(url), ["NoSuchCommand"]))
    assert code == 1
    assert "innkeeper.commands did not take it (no queue for 'NoSuchCommand'" in out
    other = Settings(rabbitmq_url=url, amqp_senders={"partner-portal": "service"})
    code, out = await captured(dead_letters.retry(other, ["RegisterHotel"]))
    assert code == 1
    assert "'guest' is not in AMQP_SENDERS" in out
    assert await queue_order(url) == held, "both kept, in their order"


async def rejected_by_the_broker(url: str, sender_url: str, sender: str, body: bytes) -> None:
    """A command the broker dead-letters itself (as when the intake cannot publish its own dead letter:
    it rejects the message): sent as `sender` while no intake runs, then rejected off the intake queue."""
    connection = await aio_pika.connect(sender_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(COMMANDS_EXCHANGE, ensure=False)
        message = aio_pika.Message(
            body, user_id=sender, message_id="as-sender-1", content_type="application/json"
        )
        await exchange.publish(message, "RegisterHotel")
    connection = await aio_pika.connect(url)
    async with connection:
        queue = await (await connection.channel()).get_queue(COMMANDS_QUEUE, ensure=False)

        async def taken() -> bool:
            delivered = await queue.get(fail=False)
            if delivered is not None:
                assert DeadLetter.of(delivered).sender == sender
                await delivered.reject(requeue=False)
            return delivered is not None

        await wait_until(taken, what="the command on the intake queue")


@contextmanager
def broker_user(amqp_url: str, prefix: str, tags: str = "") -> Iterator[tuple[str, str]]:
    """A broker user with every permission on the test's vhost (and `tags`): (name, URL); deleted after."""
    name, password = unique_name(prefix).replace("_", "-"), uuid4().hex
    vhost = quote(unquote(urlsplit(amqp_url).path[1:]), safe="")
    with httpx.Client(base_url=management_url(amqp_url), timeout=10) as api:
        api.put(f"/api/users/{name}", json={"password": password, "tags": tags}).raise_for_status()
        everything = {"configure": ".*", "write": ".*", "read": ".*"}
        api.put(f"/api/permissions/{vhost}/{name}", json=everything).raise_for_status()
        try:
            parts = urlsplit(amqp_url)
            netloc = f"{name}:{password}@{parts.hostname}:{parts.port or 5672}"
            yield name, urlunsplit(parts._replace(netloc=netloc))
        finally:
            api.delete(f"/api/users/{name}")


def run_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "RABBITMQ_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "command_service", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
