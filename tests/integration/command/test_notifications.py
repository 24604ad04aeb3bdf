"""The events a mailer acts on, as the event log holds them: a booking asks to confirm it to its guest, a
cancellation to tell the guest and, when it matters, management, each with everything its mail says; a
hotel's management contact is set over HTTP and AMQP."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import orjson
from command_support import (
    booking_body,
    command_client,
    command_sender,
    fetch,
    fetchval,
    hotel_body,
    today,
    wait_for_intake,
)
from personal_data import opened
from testkit.commands import accepted

from innkeeper_contracts import GuestNotificationRequested, ManagementAlertRaised


async def events_of(dsn: str, aggregate_id: str) -> list[tuple[str, int, dict[str, Any]]]:
    rows = await fetch(
        dsn,
        "SELECT event_type, aggregate_version, data FROM events WHERE aggregate_id = $1"
        " ORDER BY aggregate_version",
        aggregate_id,
    )
    return [(row["event_type"], row["aggregate_version"], orjson.loads(row["data"])) for row in rows]


async def test_the_management_contact_is_set_over_http_and_recorded_with_the_one_before(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        hotel = hotel_body()
        hotel_id = hotel["hotel_id"]
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        path = f"/hotels/{hotel_id}/management-contact"
        first = await client.put(path, json={"email": "desk@harbour.example"})
        second = await client.put(path, json={"email": "night@harbour.example"})
        unknown = await client.put(f"/hotels/{uuid4()}/management-contact", json={"email": "a@b.example"})
        not_an_address = await client.put(path, json={"email": "desk"})
        no_address = await client.put(path, json={})
        posted = await client.post(path, json={"email": "desk@harbour.example"})

    assert first.status_code == 202, first.text
    answer, token = accepted(second.json())
    assert (answer.command, str(answer.aggregate_id), token.aggregate_version) == (
        "SetManagementContact",
        hotel_id,
        3,
    )
    assert (await events_of(dsn, hotel_id))[1:] == [
        (
            "ManagementContactSet",
            2,
            {"hotel_id": hotel_id, "email": "desk@harbour.example", "previous_email": None},
        ),
        (
            "ManagementContactSet",
            3,
            {
                "hotel_id": hotel_id,
                "email": "night@harbour.example",
                "previous_email": "desk@harbour.example",
            },
        ),
    ]
    stored = await fetchval(dsn, "SELECT management_email FROM hotels WHERE hotel_id = $1", hotel_id)
    assert stored == "night@harbour.example"
    assert (unknown.status_code, unknown.json()["type"]) == (404, "https://innkeeper.dev/problems/not-found")
    for refused in (not_an_address, no_address):
        assert (refused.status_code, refused.json()["type"]) == (
            422,
            "https://innkeeper.dev/problems/invalid-input",
        )
        assert refused.json()["errors"][0]["loc"] == ["body", "email"]
    assert posted.status_code == 405
    assert posted.headers["allow"] == "PUT"


async def test_the_management_contact_is_a_command_of_the_amqp_intake(command_env: dict[str, str]) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client, command_sender(command_env["RABBITMQ_URL"]) as sender:
        await wait_for_intake(client)
        hotel = hotel_body() | {"management_email": "desk@harbour.example"}
        assert (await client.post("/hotels", json=hotel)).status_code == 202
        body = {"hotel_id": hotel["hotel_id"], "email": "night@harbour.example"}
        await sender.send("SetManagementContact", orjson.dumps(body), correlation_id="contact-1")
        await sender.wait_for_replies(1)
    answer, token = accepted(sender.reply_to("contact-1"))
    assert (answer.command, token.aggregate_version) == ("SetManagementContact", 2)
    [registered, contact] = await events_of(dsn, hotel["hotel_id"])
    assert registered[2]["management_email"] == "desk@harbour.example"
    assert contact[2]["previous_email"] == "desk@harbour.example"


async def test_bookings_and_cancellations_ask_for_mails_that_say_everything(
    command_env: dict[str, str],
) -> None:
    dsn = command_env["POSTGRES_DSN"]
    async with command_client(command_env) as client:
        contacted = hotel_body(rate="600.00") | {"management_email": "desk@harbour.example"}
        silent = hotel_body(rate="600.00") | {"name": "Fjord Lodge"}
        for hotel in (contacted, silent):
            assert (await client.post("/hotels", json=hotel)).status_code == 202
        late = today() + timedelta(days=1)  # notice under 48 h: a late cancellation, an alert
        stays = {
            # the first reads its room type, the second has it from the cache (one statement)
            "read": booking_body(contacted["hotel_id"], late, nights=2),
            "cached": booking_body(contacted["hotel_id"], late, nights=2, booking_id=str(uuid4())),
            "no contact": booking_body(silent["hotel_id"], late, nights=2),
        }
        booked = {}
        for name, body in stays.items():
            answer = await client.post("/bookings", json=body)
            assert answer.status_code == 202, answer.text
            booked[name], token = accepted(answer.json())
            assert token.aggregate_version == 2  # the token names the confirmation, the last event
        for answer in booked.values():
            cancel = await client.post(f"/bookings/{answer.aggregate_id}/cancel", json={"reason": "ill"})
            assert cancel.status_code == 202, cancel.text

    for name, answer in booked.items():
        body, hotel = stays[name], contacted if name != "no contact" else silent
        events = await events_of(dsn, str(answer.aggregate_id))
        assert [(event_type, version) for event_type, version, _ in events] == [
            ("StayBooked", 1),
            ("GuestNotificationRequested", 2),
            ("BookingCancelled", 3),
            ("GuestNotificationRequested", 4),
            ("ManagementAlertRaised", 5),
        ]
        confirmed = GuestNotificationRequested.model_validate(events[1][2])
        cancelled = GuestNotificationRequested.model_validate(events[3][2])
        alert = ManagementAlertRaised.model_validate(events[4][2])
        stay = (str(confirmed.check_in), str(confirmed.check_out))
        assert stay == (body["check_in"], body["check_out"])
        for mail in (confirmed, cancelled):  # sealed: the mailer opens them with the guest's key
            assert mail.guest_name is not None
            assert (mail.guest_id, await opened(dsn, mail.email), await opened(dsn, mail.guest_name)) == (
                body["guest"]["guest_id"],
                "ann@example.com",
                "Ann Berg",
            )
            assert (mail.hotel_name, mail.check_in, mail.check_out) == (
                hotel["name"],
                confirmed.check_in,
                confirmed.check_out,
            )
            assert mail.total_price is not None
            assert str(mail.total_price.amount) == "1200.00"
        assert (confirmed.template, confirmed.refund, confirmed.refund_policy) == (
            "booking_confirmed",
            None,
            None,
        )
        assert cancelled.template == "booking_cancelled"
        assert cancelled.refund is not None
        assert (str(cancelled.refund.amount), cancelled.refund_policy) == ("0.00", "none")
        assert (alert.hotel_name, alert.check_in, alert.check_out) == (
            hotel["name"],
            late,
            confirmed.check_out,
        )
        assert alert.management_email == hotel.get("management_email")
        assert alert.kinds == ["late_cancellation", "high_value_cancellation"]
