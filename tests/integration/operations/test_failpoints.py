"""Each failpoint kills its service (kill -9) in the window a random kill rarely hits; restarted with the
same environment, the service runs normally and the guarantee of that window holds."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import orjson
import pytest
from delivery.support import book_and_cancel, deliveries, message_ids, notification_ids, settled
from testkit.auth import admin
from testkit.infra import free_port
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts.documents import BOOKINGS
from innkeeper_kit import failpoints
from operations.support import bus_tap, hotel, stay


@pytest.fixture
def state(tmp_path: Path) -> Path:
    return tmp_path / "failpoints"


@pytest.fixture
def mail(tmp_path: Path, log_dir: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail", log_dir) as catcher:
        yield catcher


def armed(point: str, state: Path) -> dict[str, str]:
    return {failpoints.ENV: f"{point}=crash", failpoints.STATE_ENV: str(state)}


async def killed_at(process: ServiceProcess, point: str, state: Path) -> None:
    """The process died by SIGKILL at `point` (its marker written), and starts again with the same env."""
    assert process.process is not None
    await wait_until(lambda: process.process is not None and process.process.poll() is not None, 30, point)
    assert process.process.returncode == -signal.SIGKILL, process.logs()[-3000:]
    assert (state / point).is_file()
    assert f'"failpoint":"{point}"' in process.logs()
    await asyncio.to_thread(process.start)


async def post(process: ServiceProcess, path: str, body: dict[str, object], key: str) -> int | None:
    """The answer's status; None when the connection broke before an answer."""
    async with httpx.AsyncClient(headers=admin(), base_url=process.url, timeout=30) as client:
        try:
            return (await client.post(path, json=body, headers={"Idempotency-Key": key})).status_code
        except httpx.TransportError:
            return None


async def outbox_empty(system: Innkeeper) -> bool:
    [row] = await system.fetch("SELECT count(*) AS n FROM outbox")
    return int(row["n"]) == 0


async def test_relay_killed_after_the_confirm_publishes_the_event_again(
    system: Innkeeper, state: Path
) -> None:
    point = failpoints.RELAY_AFTER_PUBLISH_BEFORE_MARK
    system.env.update(armed(point, state))
    async with bus_tap(system.env["RABBITMQ_URL"]) as seen:
        await system.start(projectors=0, queries=0)
        assert system.command is not None
        registered = hotel()
        assert await post(system.command, "/hotels", registered, str(uuid4())) in (202, None)
        await killed_at(system.command, point, state)
        [event] = await system.events_of_type("HotelRegistered")

        def copies() -> int:
            return sum(orjson.loads(m.body)["event_id"] == str(event["event_id"]) for m in seen)

        await wait_until(lambda: copies() >= 2, 30, "the event published again after the restart")
        await wait_until(lambda: outbox_empty(system), 30, "the outbox drained")
    assert str(event["aggregate_id"]) == registered["hotel_id"]


async def test_command_killed_before_its_answer_is_answered_by_a_retry_with_the_same_key(
    system: Innkeeper, state: Path
) -> None:
    point = failpoints.COMMAND_AFTER_APPEND_BEFORE_ANSWER
    system.env.update(armed(point, state))
    await system.start(projectors=0, queries=0)
    assert system.command is not None
    registered, key = hotel(), str(uuid4())
    assert await post(system.command, "/hotels", registered, key) is None  # no answer: the process died
    await killed_at(system.command, point, state)

    assert await post(system.command, "/hotels", registered, key) == 202
    events = await system.events_of_type("HotelRegistered")
    assert [(str(e["aggregate_id"]), e["causation_id"]) for e in events] == [(registered["hotel_id"], key)]


async def test_projector_killed_before_its_ack_applies_each_event_once(
    system: Innkeeper, state: Path
) -> None:
    point = failpoints.PROJECTOR_AFTER_WRITE_BEFORE_ACK
    await system.start(projectors=0, queries=0)
    assert system.command is not None
    projector = ServiceProcess(
        "projector", {**system.env, **armed(point, state)}, free_port(), system.log_dir
    )
    system.processes.append(projector)
    system.projectors.append(projector)
    await asyncio.to_thread(projector.start)
    registered = hotel()
    booked = stay(registered["hotel_id"])
    assert await post(system.command, "/hotels", registered, str(uuid4())) == 202
    assert await post(system.command, "/bookings", booked, str(uuid4())) == 202
    await killed_at(projector, point, state)

    await system.wait_caught_up(30)
    documents = system.mongo[system.env["MONGODB_DATABASE"]][f"{BOOKINGS}_{await system.generation()}"]
    assert [d["_id"] async for d in documents.find({}, {"_id": 1})] == [booked["booking_id"]]
    async with httpx.AsyncClient(headers=admin(), base_url=projector.url, timeout=10) as client:
        shards = (await client.get("/status")).json()["shards"]
    assert sum(shard["duplicates"] for shard in shards) >= 1  # the unacked batch came again, applied once
    code, output = await system.projector_cli("verify")
    assert code == 0, output


async def test_notifier_killed_before_recording_a_send_resends_it_once_with_the_same_message_id(
    system: Innkeeper, state: Path, mail: MailCatcher
) -> None:
    point = failpoints.NOTIFIER_AFTER_SEND_BEFORE_RECORD
    system.env.update(SMTP_URL=mail.url, NOTIFIER_POLL_SECONDS="0.2", NOTIFIER_SEND_TIMEOUT_SECONDS="1",
                      NOTIFIER_LEASE_SECONDS="2")  # fmt: skip
    await system.start(projectors=0, queries=0)
    notifier = await system.start_notifier(**armed(point, state))
    await book_and_cancel(system, 1, rate="100.00", management_email=None)  # two guest mails
    await killed_at(notifier, point, state)
    assert len(mail.messages()) >= 1

    expected = await notification_ids(system)
    await wait_until(lambda: message_ids(mail.messages()).keys() == expected, 30, "both mails")
    await wait_until(lambda: settled(system, 2), 30, "both deliveries recorded as delivered")
    sent = message_ids(mail.messages())
    assert len(expected) == 2
    assert sorted(sent.values()) == [1, 2]
    assert {record["state"] for record in await deliveries(system)} == {
        "delivered"
    }  # the one sent at the kill went again, once, same Message-ID
