"""A guest's sealed name and address through a real notifier, PostgreSQL, RabbitMQ and SMTP server: the
mail goes out in clear while the notifier's records hold ciphertext only; an erased key cancels the mail
(never sent, never retried); `GuestDataErased` cancels the guest's open deliveries; a key store that does
not answer is retried, never taken for an erasure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest
from testkit.auth import operator
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher, text_of
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from delivery.sealed_events import Guests, confirmation, erasure, publish
from delivery.support import deliveries

ANN, BOB = ("ann@example.com", "Ann Berg"), ("bob@example.com", "Bob Lund")


@pytest.fixture
async def system(notifier_env: dict[str, str], log_dir: Path) -> AsyncIterator[Innkeeper]:
    """Only the notifier (each test starts it): the events are published as the relay would."""
    innkeeper = Innkeeper(notifier_env, log_dir)
    try:
        yield innkeeper
    finally:
        await innkeeper.close()


@pytest.fixture
async def guests(system: Innkeeper) -> AsyncIterator[Guests]:
    """The guests' keys in `guest_keys`, made by the command service's own migrations."""
    code, output = await system.cli("command_service", "migrate")
    assert code == 0, output
    async with Guests(system.env["POSTGRES_DSN"]) as held:
        yield held


async def states(system: Innkeeper) -> list[tuple[str, str | None]]:
    return [(record["state"], record["last_error"]) for record in await deliveries(system)]


async def records_as_text(system: Innkeeper) -> str:
    """Every column of every delivery record, as PostgreSQL prints them."""
    return "\n".join(row[0] for row in await system.fetch("SELECT d::text FROM notifier.deliveries d"))


def cancelled_metric(notifier: ServiceProcess) -> float:
    text = httpx.get(f"{notifier.url}/metrics", headers=operator(), timeout=5).text
    line = 'innkeeper_notifier_deliveries_total{channel="mail",outcome="cancelled"} '
    return sum(float(row.rsplit(" ", 1)[1]) for row in text.splitlines() if row.startswith(line))


async def test_a_sealed_notification_is_mailed_in_clear_and_recorded_sealed(
    system: Innkeeper, guests: Guests, mail: MailCatcher
) -> None:
    notifier = await system.start_notifier(LOG_LEVEL="DEBUG")
    email, name = await guests.sealed("g-ann", ANN[0]), await guests.sealed("g-ann", ANN[1])
    await publish(system.env["RABBITMQ_URL"], confirmation(uuid4(), "g-ann", email, name))

    await wait_until(lambda: len(mail.messages()) == 1, 20, "the confirmation mailed")
    [message] = mail.messages()
    assert message["To"] == ANN[0]
    assert "Hello Ann Berg," in text_of(message)
    await wait_until(lambda: _states_are(system, [("delivered", None)]), 10, "the delivery recorded")
    [record] = await deliveries(system)
    assert (record["recipient"], record["guest_id"]) == ("guest:g-ann", "g-ann")
    stored = await records_as_text(system)
    assert "sealed:v1:" in stored
    for clear in ANN:  # neither in the notifier's table nor in its log
        assert clear not in stored
        assert clear not in notifier.logs()


async def test_a_guest_erased_before_the_send_gets_no_mail(
    system: Innkeeper, guests: Guests, mail: MailCatcher
) -> None:
    notifier = await system.start_notifier()
    ann = confirmation(
        uuid4(), "g-ann", await guests.sealed("g-ann", ANN[0]), await guests.sealed("g-ann", ANN[1])
    )
    bob = confirmation(
        uuid4(), "g-bob", await guests.sealed("g-bob", BOB[0]), await guests.sealed("g-bob", BOB[1])
    )
    await guests.erase("g-ann")  # Ann's key is gone before the notifier sees her mail
    await publish(system.env["RABBITMQ_URL"], ann, bob)

    await wait_until(lambda: _settled(system, 2), 20, "both deliveries finished")
    assert [message["To"] for message in mail.messages()] == [BOB[0]]  # Bob, untouched
    by_guest = {record["guest_id"]: record for record in await deliveries(system)}
    assert (by_guest["g-ann"]["state"], by_guest["g-ann"]["last_error"]) == ("cancelled", "guest_data_erased")
    assert by_guest["g-ann"]["attempts"] == 1  # not retried
    assert cancelled_metric(notifier) == 1
    assert "delivery cancelled: the guest's data is erased" in notifier.logs()


async def test_guest_data_erased_cancels_the_guests_open_deliveries(
    system: Innkeeper, guests: Guests, mail: MailCatcher
) -> None:
    mail.stop()  # the SMTP server is down: every mail waits, retrying
    await system.start_notifier()
    booking = uuid4()
    sealed = confirmation(
        booking, "g-ann", await guests.sealed("g-ann", ANN[0]), await guests.sealed("g-ann", ANN[1])
    )
    legacy = confirmation(booking, "g-ann", "ann.old@example.com", ANN[1], version=3)  # logged in clear
    bob = confirmation(
        uuid4(), "g-bob", await guests.sealed("g-bob", BOB[0]), await guests.sealed("g-bob", BOB[1])
    )
    await publish(system.env["RABBITMQ_URL"], sealed, legacy, bob)
    await wait_until(lambda: _all_tried(system, 3), 20, "the three mails tried and waiting")

    # The erasure alone cancels: Ann's key is still there, so a send would still open and go out.
    await publish(system.env["RABBITMQ_URL"], erasure(booking, "g-ann", [guests.keys["g-ann"].key_id], 4))
    await wait_until(lambda: _cancelled(system, 2), 20, "Ann's two open mails cancelled")
    mail.start()
    await wait_until(lambda: len(mail.messages()) == 1, 20, "Bob's mail sent once the server is back")
    assert [message["To"] for message in mail.messages()] == [BOB[0]]
    await wait_until(lambda: _settled(system, 3), 10, "Bob's delivery recorded")
    records = await deliveries(system)
    assert sorted((r["guest_id"], r["state"]) for r in records) == [
        ("g-ann", "cancelled"),
        ("g-ann", "cancelled"),
        ("g-bob", "delivered"),
    ]
    assert {r["last_error"] for r in records if r["guest_id"] == "g-ann"} == {"guest_data_erased"}


async def test_a_key_store_that_does_not_answer_is_retried_not_taken_for_an_erasure(
    system: Innkeeper, guests: Guests, mail: MailCatcher
) -> None:
    await system.start_notifier()
    email, name = await guests.sealed("g-ann", ANN[0]), await guests.sealed("g-ann", ANN[1])
    locker = await asyncpg.connect(system.env["POSTGRES_DSN"])
    try:
        blocking = locker.transaction()
        await blocking.start()
        await locker.execute("LOCK TABLE guest_keys IN ACCESS EXCLUSIVE MODE")  # reading a key hangs
        await publish(system.env["RABBITMQ_URL"], confirmation(uuid4(), "g-ann", email, name))
        await wait_until(lambda: _attempted(system, 2), 30, "the send tried twice while keys hang")
        assert mail.messages() == []
        [(state, reason)] = await states(system)
        assert state in ("pending", "sending")  # waiting for another try: not cancelled, not failed
        assert reason is None or "timed out" in reason
        await blocking.rollback()  # the key store answers again
    finally:
        await locker.close()
    await wait_until(lambda: len(mail.messages()) == 1, 30, "the mail sent once the keys answer")
    assert mail.messages()[0]["To"] == ANN[0]


async def _states_are(system: Innkeeper, expected: list[tuple[str, str | None]]) -> bool:
    return await states(system) == expected


async def _settled(system: Innkeeper, count: int) -> bool:
    found = await states(system)
    return len(found) == count and all(state in ("delivered", "cancelled", "failed") for state, _ in found)


async def _all_tried(system: Innkeeper, count: int) -> bool:
    records = await deliveries(system)
    return len(records) == count and all(r["attempts"] >= 1 and r["state"] == "pending" for r in records)


async def _cancelled(system: Innkeeper, count: int) -> bool:
    return sum(state == "cancelled" for state, _ in await states(system)) == count


async def _attempted(system: Innkeeper, attempts: int) -> bool:
    records = await deliveries(system)
    return len(records) == 1 and records[0]["attempts"] >= attempts
