"""A guest's erasure, end to end (issue 21): two guests book, one event of guest A is parked and one is
dead-lettered on purpose, A asks to be forgotten; afterwards nothing readable of A's name or e-mail is left
anywhere Innkeeper keeps data (event log, write model, the notifier's records, every MongoDB document,
parked events, dead letters, mails sent after the erasure, every service's log), guest B is untouched, a
rebuild equals the live read model, and A's later commands behave as documented."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from flow.payloads import book_stay, cancel_booking, register_hotel, room, today, unique_city
from testkit.auth import admin, bearer
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.waiting import wait_until

from erasure.evidence import (
    dead_letter_bodies,
    every_document,
    every_row,
    publish_copy,
    sealed_key_ids_of,
)
from innkeeper_contracts import ConsistencyToken
from innkeeper_kit.personal import ERASED

ANNA = {"name": "Aurelia Quinceworth", "email": "aurelia.quinceworth@erasure.example"}
BERT = {"name": "Bartholomew Underhill", "email": "bart.underhill@erasure.example"}


def stay_for(hotel_id: str, guest_id: str, person: dict[str, str], days_ahead: int) -> dict[str, Any]:
    stay = book_stay(hotel_id, "DBL", today() + timedelta(days=days_ahead), nights=2, guest_id=guest_id)
    return {**stay, "guest": {"guest_id": guest_id, **person}}


def traces(text: str, person: dict[str, str]) -> list[str]:
    """The guest's name or address found in clear in `text` (case-insensitive)."""
    return [value for value in person.values() if value.lower() in text.lower()]


async def test_an_erased_guest_leaves_no_readable_trace(innkeeper: Innkeeper, mail: MailCatcher) -> None:
    env, anna, bert = innkeeper.env, f"guest-a-{uuid4().hex[:8]}", f"guest-b-{uuid4().hex[:8]}"
    assert innkeeper.command is not None
    assert innkeeper.queries
    hotel = register_hotel("Harbour Inn", unique_city(), 4, room("DBL", 5, "120.00"))
    stays_a = [stay_for(hotel["hotel_id"], anna, ANNA, days) for days in (20, 30)]
    stay_b = stay_for(hotel["hotel_id"], bert, BERT, 25)
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as client:
        commands = HttpCommands(client)
        accepted(await commands.send("RegisterHotel", hotel))
        for stay in [*stays_a, stay_b]:
            accepted(await commands.send("BookStay", stay))
    await wait_until(lambda: len(mail.messages()) == 3, 30, "the three confirmations mailed")
    await innkeeper.wait_caught_up()

    # One event of A parked by the projector and one dead-lettered by the notifier: copies of A's own
    # events with a schema version no reader knows, holding A's sealed data as the log does.
    [booked] = await innkeeper.fetch(
        "SELECT * FROM events WHERE event_type = 'StayBooked' AND aggregate_id = $1",
        UUID(stays_a[0]["booking_id"]),
    )
    [asked] = await innkeeper.fetch(
        "SELECT * FROM events WHERE event_type = 'GuestNotificationRequested' AND aggregate_id = $1",
        UUID(stays_a[0]["booking_id"]),
    )
    await publish_copy(env["RABBITMQ_URL"], booked, schema_version=99, new_aggregate=True)
    await publish_copy(env["RABBITMQ_URL"], asked, schema_version=99, new_aggregate=False)
    await wait_until(lambda: _parked(innkeeper), 30, "the projector parking A's copied event")
    await wait_until(lambda: _dead_letters(env["RABBITMQ_URL"]), 30, "the notifier dead-lettering A's copy")

    logged = [row["data"] for row in await innkeeper.fetch("SELECT data::text AS data FROM events")]
    keys_of_anna = sealed_key_ids_of(logged, anna)
    assert keys_of_anna, "A's events hold sealed data"

    # A asks to be forgotten (as themself).
    async with httpx.AsyncClient(base_url=innkeeper.command.url, timeout=30) as client:
        erased = await client.post(f"/guests/{anna}/erase", headers=bearer("guest", anna))
    assert erased.status_code == 202, erased.text
    await innkeeper.wait_caught_up()

    # After the erasure staff cancel one of A's bookings and B's: the refunds follow, B is mailed, A is not.
    mails_before = len(mail.messages())
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as client:
        commands = HttpCommands(client)
        accepted(await commands.send("CancelBooking", cancel_booking(stays_a[1]["booking_id"])))
        accepted(await commands.send("CancelBooking", cancel_booking(stay_b["booking_id"])))
    await wait_until(lambda: len(mail.messages()) == mails_before + 1, 30, "B's cancellation mailed")
    await innkeeper.wait_caught_up()

    # Nothing of A is readable anywhere.
    log_rows = [row["data"] for row in await innkeeper.fetch("SELECT data::text AS data FROM events")]
    assert not traces("\n".join(log_rows), ANNA)
    assert traces("\n".join(log_rows), BERT) == []  # B is sealed too
    live_keys = {row["key_id"] for row in await innkeeper.fetch("SELECT key_id FROM guest_keys")}
    assert not keys_of_anna & live_keys, "a key of A's data sealed before the erasure still exists"
    assert sealed_key_ids_of(log_rows, bert) <= live_keys
    write_model = await every_row(env["POSTGRES_DSN"])
    assert not traces(write_model, ANNA), "the write model or the notifier's records hold A in clear"
    documents = await every_document(env["MONGODB_URL"], env["MONGODB_DATABASE"])
    assert not traces(documents, ANNA), "a MongoDB document (read model, parked event) holds A in clear"
    assert traces(documents, BERT), "B's booking page shows B"
    letters = await dead_letter_bodies(env["RABBITMQ_URL"])
    assert letters, "the notifier's dead letter of A is still there, unreadable"
    assert not traces("\n".join(letters), ANNA)
    after = mail.messages()[mails_before:]
    assert [str(message["To"]) for message in after] == [BERT["email"]]
    for process in innkeeper.processes:
        assert not traces(process.logs(), ANNA), f"{process.module}'s log holds A"
        assert not traces(process.logs(), BERT), f"{process.module}'s log holds B"

    # What the screens show: A's bookings stay, the person is gone; B is untouched.
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.queries[0].url, timeout=30) as query:
        pages = {stay["booking_id"]: (await query.get(f"/bookings/{stay['booking_id']}")).json()
                 for stay in [*stays_a, stay_b]}  # fmt: skip
    for stay in stays_a:
        page = pages[stay["booking_id"]]
        assert page["guest"]["name"] == page["guest"]["email"] == ERASED
        assert page["guest"]["erased"] is True
    assert pages[stays_a[1]["booking_id"]]["status"] == "cancelled"
    # The reason staff gave after the erasure is new data, sealed under a new key of A (documented).
    assert pages[stays_a[1]["booking_id"]]["cancellation_reason"] == "plans changed"
    assert pages[stay_b["booking_id"]]["guest"] == {"guest_id": bert, **BERT, "erased": False}

    # A rebuild of the whole log equals the live read model, erased fields erased.
    code, output = await innkeeper.projector_cli("verify")
    assert code == 0, output

    # A books again: a new key, a new consent; the old bookings stay erased.
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.command.url, timeout=30) as client:
        again = stay_for(hotel["hotel_id"], anna, ANNA, 40)
        _, token = accepted(await HttpCommands(client).send("BookStay", again))
    page = await _read(innkeeper, f"/bookings/{again['booking_id']}", token)
    assert page["guest"]["name"] == ANNA["name"]
    old = await _read(innkeeper, f"/bookings/{stays_a[0]['booking_id']}", token)
    assert old["guest"]["name"] == ERASED


async def _read(innkeeper: Innkeeper, path: str, token: ConsistencyToken) -> Any:
    headers = {**admin(), "X-Consistency-Token": token.encode()}
    async with httpx.AsyncClient(headers=headers, base_url=innkeeper.queries[0].url, timeout=30) as query:
        answer = await query.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _parked(innkeeper: Innkeeper) -> bool:
    async with httpx.AsyncClient(headers=admin(), base_url=innkeeper.projectors[0].url, timeout=10) as c:
        return bool((await c.get("/status")).json().get("parked", 0) >= 1)


async def _dead_letters(amqp_url: str) -> bool:
    return len(await dead_letter_bodies(amqp_url)) >= 1
