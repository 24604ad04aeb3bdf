"""A guest's personal data is sealed under their own key before it enters an event or the write model, and
erasing the guest deletes the key (real PostgreSQL and RabbitMQ, the command service in this process):
nothing in clear anywhere, one GuestDataErased per booking, erasing again or without bookings accepted,
a new booking after it under a new key, a key erased by another replica never sealing new data."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import asyncpg
import httpx
from command_support import booking_body, command_client, fetch, fetchval, hotel_body
from personal_data import EMAIL, NAME, booking_row, clear_text_anywhere, events_of, opened
from testkit.auth import bearer, pii_master_keys

from innkeeper_kit.personal import ERASED, GuestKeyStore, MasterKeys

NIL = "00000000-0000-0000-0000-000000000000"


def stay_of(hotel_id: str, guest_id: str, name: str = NAME, email: str = EMAIL) -> dict[str, Any]:
    body = booking_body(hotel_id)
    return body | {"guest": {"guest_id": guest_id, "name": name, "email": email}}


async def booked(client: httpx.AsyncClient, hotel_id: str, guest_id: str, **guest: str) -> str:
    answer = await client.post("/bookings", json=stay_of(hotel_id, guest_id, **guest))
    assert answer.status_code == 202, answer.text
    return str(answer.json()["booking_id"])


async def registered(client: httpx.AsyncClient) -> str:
    hotel = hotel_body(capacity=20)
    assert (await client.post("/hotels", json=hotel)).status_code == 202
    return str(hotel["hotel_id"])


async def key_of(dsn: str, guest_id: str) -> UUID | None:
    key: UUID | None = await fetchval(dsn, "SELECT key_id FROM guest_keys WHERE guest_id = $1", guest_id)
    return key


async def test_the_log_and_the_write_model_hold_no_clear_name_address_or_reason(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        booking_id = await booked(client, await registered(client), "zelda-1")
        changed = await client.put(
            f"/bookings/{booking_id}/guest-contact", json={"email": "zq.new@example.net"}
        )
        assert changed.status_code == 202, changed.text
        reason = "Zelda broke her leg"
        cancelled = await client.post(f"/bookings/{booking_id}/cancel", json={"reason": reason})
        assert cancelled.status_code == 202, cancelled.text

    assert await clear_text_anywhere(dsn, "Quillfeather", "zq.new@", "broke her leg") == []
    events = dict(await events_of(dsn, booking_id))
    assert await opened(dsn, events["StayBooked"]["guest"]["name"]) == NAME
    assert await opened(dsn, events["StayBooked"]["guest"]["email"]) == EMAIL
    assert await opened(dsn, events["GuestContactChanged"]["email"]) == "zq.new@example.net"
    assert await opened(dsn, events["BookingCancelled"]["reason"]) == reason
    row = await booking_row(dsn, booking_id)
    assert (await opened(dsn, row["guest_name"]), await opened(dsn, row["cancellation_reason"])) == (
        NAME,
        reason,
    )
    assert row["guest_key_id"] == await key_of(dsn, "zelda-1")


async def test_erasing_deletes_the_key_and_records_it_on_every_booking_of_the_guest(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel_id = await registered(client)
        erased = [await booked(client, hotel_id, "zelda-2") for _ in range(2)]
        kept = await booked(client, hotel_id, "bert-2", name="Bert Oddbody", email="bert@example.org")
        key = await key_of(dsn, "zelda-2")
        answer = await client.post("/guests/zelda-2/erase", headers=bearer("guest", "zelda-2"))
        assert answer.status_code == 202, answer.text

    body = answer.json()
    assert (body["command"], body["booking_id"], body["hotel_id"]) == ("EraseGuestData", None, None)
    assert body["aggregate_id"] == erased[-1]
    assert body["consistency_token"].endswith(f".{erased[-1]}.3")
    assert "location" not in answer.headers
    assert await key_of(dsn, "zelda-2") is None
    for booking_id in erased:
        events = await events_of(dsn, booking_id)
        assert [event_type for event_type, _ in events][-1] == "GuestDataErased"
        data = events[-1][1]
        assert (data["guest_id"], data["key_ids"]) == ("zelda-2", [str(key)])
        assert await opened(dsn, events[0][1]["guest"]["name"]) == ERASED
        row = await booking_row(dsn, booking_id)
        assert (row["version"], row["guest_key_id"], row["status"]) == (3, None, "active")
    assert await fetchval(dsn, "SELECT count(*) FROM events WHERE event_type = 'GuestDataErased'") == 2
    kept_events = await events_of(dsn, kept)
    assert await opened(dsn, kept_events[0][1]["guest"]["name"]) == "Bert Oddbody"


async def test_erasing_a_guest_without_bookings_or_twice_is_accepted(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        booking_id = await booked(client, await registered(client), "zelda-3")
        logged = await fetchval(dsn, "SELECT max(global_position) FROM events")
        nobody = await client.post("/guests/nobody-3/erase", headers={"Idempotency-Key": "erase-nobody"})
        assert nobody.status_code == 202, nobody.text
        again = await client.post("/guests/nobody-3/erase", headers={"Idempotency-Key": "erase-nobody"})
        assert again.json() == nobody.json()
        assert nobody.json()["aggregate_id"] == NIL
        assert nobody.json()["consistency_token"].startswith(f"{logged}.{booking_id}.2")
        assert await fetchval(dsn, "SELECT max(global_position) FROM events") == logged  # nothing logged

        first = await client.post("/guests/zelda-3/erase")
        second = await client.post("/guests/zelda-3/erase")
        assert (first.status_code, second.status_code) == (202, 202), second.text

    erasures = [
        data for event_type, data in await events_of(dsn, booking_id) if event_type == "GuestDataErased"
    ]
    assert [len(data["key_ids"]) for data in erasures] == [1, 0]  # the second found no key left


async def test_after_erasure_a_new_booking_gets_a_new_key_and_an_old_one_can_still_be_cancelled(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel_id = await registered(client)
        before = await booked(client, hotel_id, "zelda-4")
        old_key = await key_of(dsn, "zelda-4")
        assert (await client.post("/guests/zelda-4/erase")).status_code == 202
        after = await booked(client, hotel_id, "zelda-4", name="Zelda Q.", email="zq@example.net")
        new_key = await key_of(dsn, "zelda-4")
        cancel = await client.post(f"/bookings/{before}/cancel", json={"reason": "no longer needed"})
        assert cancel.status_code == 202, cancel.text

    assert new_key not in (None, old_key)
    assert await opened(dsn, (await events_of(dsn, after))[0][1]["guest"]["name"]) == "Zelda Q."
    cancelled = dict(await events_of(dsn, before))
    mail = cancelled["GuestNotificationRequested"]  # the last one: the cancellation's
    assert await opened(dsn, mail["email"]) == ERASED, "its mail cannot be sent: the old key is gone"
    assert await opened(dsn, cancelled["BookingCancelled"]["reason"]) == "no longer needed"


async def test_a_key_erased_by_another_replica_never_seals_new_data(command_env: dict[str, str]) -> None:
    """This replica knows the guest's key from its first booking; another erases it; the next booking
    here is refused by the foreign key and runs again under a new key."""
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel_id = await registered(client)
        await booked(client, hotel_id, "zelda-5")
        known = await key_of(dsn, "zelda-5")
        await fetch(dsn, "DELETE FROM guest_keys WHERE guest_id = 'zelda-5'")  # another replica erased it
        later = await booked(client, hotel_id, "zelda-5", name="Zelda Later")

    row = await booking_row(dsn, later)
    assert row["guest_key_id"] not in (None, known)
    assert row["guest_key_id"] == await key_of(dsn, "zelda-5")
    assert await opened(dsn, row["guest_name"]) == "Zelda Later"


async def test_two_first_bookings_of_a_guest_at_once_share_one_key(command_env: dict[str, str]) -> None:
    """A key made by another command first (held uncommitted while this one books): this one's own new
    key breaks the unique guest id, and it runs again under the other's key."""
    dsn = command_env["POSTGRES_DSN"]
    store = GuestKeyStore(MasterKeys.parse(pii_master_keys()))
    other = store.new_key()
    async with command_client(command_env, guest_key_cache_size=0) as client:
        hotel_id = await registered(client)
        holder = await asyncpg.connect(dsn)
        try:
            transaction = holder.transaction()
            await transaction.start()
            await store.insert(holder, "zelda-6", other)
            booking = asyncio.create_task(booked(client, hotel_id, "zelda-6"))
            await asyncio.sleep(1)  # the booking's key insert now waits on the held one
            await transaction.commit()
            booking_id = await booking
        finally:
            await holder.close()

    assert await fetchval(dsn, "SELECT count(*) FROM guest_keys WHERE guest_id = 'zelda-6'") == 1
    row = await booking_row(dsn, booking_id)
    assert row["guest_key_id"] == other.key_id
    assert await opened(dsn, row["guest_email"]) == EMAIL


async def test_a_returning_guest_this_replica_does_not_know_books_under_their_key(
    command_env: dict[str, str],
) -> None:
    """A booking makes a key without looking first; a guest who has one (here: no cache at all) makes the
    statement fail on the unique guest id, and the command runs again, reading the key."""
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env, guest_key_cache_size=0) as client:
        hotel_id = await registered(client)
        first = await booked(client, hotel_id, "zelda-7")
        second = await booked(client, hotel_id, "zelda-7", name="Zelda Again")

    assert await fetchval(dsn, "SELECT count(*) FROM guest_keys WHERE guest_id = 'zelda-7'") == 1
    rows = [await booking_row(dsn, booking_id) for booking_id in (first, second)]
    assert rows[0]["guest_key_id"] == rows[1]["guest_key_id"] == await key_of(dsn, "zelda-7")
    assert await opened(dsn, rows[1]["guest_name"]) == "Zelda Again"
