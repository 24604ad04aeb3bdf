"""Each event records who acted, in the log and on the wire; and no service writes a guest's name or
e-mail address into its log, at any level, whatever the guest does and whatever goes wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from flow.payloads import book_stay, register_hotel, room, today
from testkit.amqp import command_messenger, event_spy
from testkit.auth import admin, bearer
from testkit.commands import HttpCommands, accepted
from testkit.innkeeper import Innkeeper

NAME, EMAIL = "Zyxwvut Quorrelby", "zyx.quorrelby@mailbox.example"


async def test_each_event_records_who_sent_its_command(system: Innkeeper) -> None:
    assert system.command is not None
    hotel = register_hotel("Harbour Inn", "Bergen", 4, room("DBL", 5, "100.00"))
    stay = book_stay(hotel["hotel_id"], "DBL", today() + timedelta(days=20), 2, guest_id="g-9")
    staff = bearer("staff", "front-desk", hotels=[hotel["hotel_id"]])
    async with (
        event_spy(system.env["RABBITMQ_URL"], ["#"]) as spy,
        httpx.AsyncClient(base_url=system.command.url, timeout=30) as http,
        command_messenger(system.env["RABBITMQ_URL"]) as amqp,
    ):
        commands = HttpCommands(http)
        http.headers.update(admin())
        accepted(await commands.send("RegisterHotel", hotel))
        http.headers.update(bearer("guest", "g-9"))
        accepted(await commands.send("BookStay", stay))
        http.headers.update(staff)
        accepted(
            await commands.send("CancelBooking", {"booking_id": stay["booking_id"], "reason": "no show"})
        )
        rate = {
            "hotel_id": hotel["hotel_id"],
            "room_type": "DBL",
            "nightly_rate": {"amount": "1.00", "currency": "EUR"},
        }
        accepted(await amqp.send("SetNightlyRate", rate))
        await system.wait_caught_up()
        await spy.drain()

    rows = await system.fetch("SELECT event_type, actor FROM events ORDER BY global_position")
    logged = {(row["event_type"], row["actor"]) for row in rows}
    admin_actor = '{"role": "admin", "subject": "test-admin"}'
    assert ("HotelRegistered", admin_actor) in logged
    assert ("StayBooked", '{"role": "guest", "subject": "g-9"}') in logged
    for event_type in ("BookingCancelled", "RefundIssued", "GuestNotificationRequested"):
        assert (event_type, '{"role": "staff", "subject": "front-desk"}') in logged
    assert ("NightlyRateSet", '{"role": "service", "subject": "guest"}') in logged
    on_the_wire = {(e.event_type, e.actor.subject if e.actor else None) for e in spy.envelopes}
    assert {
        ("StayBooked", "g-9"),
        ("BookingCancelled", "front-desk"),
        ("NightlyRateSet", "guest"),
    } <= on_the_wire


async def test_no_log_line_of_any_service_names_a_guest(service_env: dict[str, str], log_dir: Path) -> None:
    system = Innkeeper({**service_env, "LOG_LEVEL": "DEBUG", "PROJECTOR_SHARDS": "1"}, log_dir)
    try:
        await system.start()
        await tell_a_story_with_a_named_guest(system)
        await system.wait_caught_up()
        logs = "\n".join(process.logs() for process in system.processes)
    finally:
        await system.close()
    # The story happened and was logged (the test would prove nothing on silent services).
    assert logs.count('"command.accepted"') >= 6
    assert '"command.rejected"' in logs
    assert "amqp.dead_lettered" in logs
    for secret in (NAME, EMAIL, "Zyxwvut", "Quorrelby", "zyx.quorrelby", "mailbox.example"):
        assert secret not in logs, f"{secret!r} in a log line"


async def tell_a_story_with_a_named_guest(system: Innkeeper) -> None:
    """Book and cancel over HTTP and AMQP; read the bookings; and fail in ways that echo the input."""
    assert system.command is not None
    hotel = register_hotel("Harbour Inn", "Bergen", 4, room("DBL", 5, "100.00"))
    guest = bearer("guest", "zq-1")
    stays = [book_stay(hotel["hotel_id"], "DBL", today() + timedelta(days=d), 2) for d in (1, 20)]
    for stay in stays:
        stay["guest"] = {"guest_id": "zq-1", "name": NAME, "email": EMAIL}
    async with (
        httpx.AsyncClient(base_url=system.command.url, headers=admin(), timeout=30) as http,
        httpx.AsyncClient(base_url=system.queries[0].url, headers=guest, timeout=30) as query,
        command_messenger(system.env["RABBITMQ_URL"]) as amqp,
    ):
        commands = HttpCommands(http)
        accepted(await commands.send("RegisterHotel", hotel))
        accepted(await commands.send("BookStay", stays[0]))
        accepted(await amqp.send("BookStay", stays[1]))
        # Failures that carry the guest's data: an invalid address, too many guests, a bad message.
        bad_email = {
            **stays[0],
            "booking_id": None,
            "guest": {**stays[0]["guest"], "email": f"{NAME} <{EMAIL}"},
        }
        assert (await http.post("/bookings", json=bad_email)).status_code == 422
        crowd = {**stays[0], "booking_id": None, "guests": 9}
        assert (await http.post("/bookings", json=crowd)).status_code == 409
        rejected = await amqp.send("BookStay", {**stays[1], "guests": "many", "note": NAME})
        assert rejected["status"] == 422
        await system.wait_caught_up()
        for stay in stays:
            assert (await query.get(f"/bookings/{stay['booking_id']}")).status_code == 200
        assert (await query.get("/guests/zq-1/bookings")).status_code == 200
        accepted(await commands.send("CancelBooking", {"booking_id": stays[0]["booking_id"], "reason": NAME}))
        accepted(await amqp.send("CancelBooking", {"booking_id": stays[1]["booking_id"], "reason": "x"}))
        accepted(await commands.send("BookStay", {**stays[0], "booking_id": None}))
