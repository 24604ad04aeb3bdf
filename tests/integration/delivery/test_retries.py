"""Temporary failures are retried with backoff (and `Retry-After`), permanent ones dead-lettered at once,
against a real webhook receiver and a real SMTP server that goes away."""

from __future__ import annotations

import asyncio
import itertools
import json

import httpx
from testkit.auth import admin
from testkit.commands import HttpCommands, accepted
from testkit.infra import free_port
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.waiting import wait_until
from testkit.webhooks import WebhookReceiver

from delivery.support import SECRET, book_and_cancel, deliveries, settled
from notifier.plans import NO_CONTACT

LOW_RATE = "100.00"
"""200.00 a stay: no alert, so the only webhook is the `RefundIssued`."""


async def test_a_webhook_failing_five_times_then_answering_is_delivered_once(
    innkeeper: Innkeeper, webhook: WebhookReceiver
) -> None:
    webhook.answer(500, times=5)
    await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, rate=LOW_RATE)
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the refund webhook settled")

    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], record["attempts"], record["event_type"]) == ("delivered", 6, "RefundIssued")
    assert record["last_error"] == "webhook answered 500"
    requests = webhook.requests()
    assert [request.status for request in requests] == [500] * 5 + [200]
    assert len({request.headers["webhook-id"] for request in requests}) == 1  # one event, six tries
    assert requests[-1].verified(SECRET)["event_type"] == "RefundIssued"
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(requests)]
    assert all(gap >= 0.1 for gap in gaps), gaps  # backed off: half of a 0.2 s step at least


async def test_retry_after_is_honoured_beyond_the_backoff(
    innkeeper: Innkeeper, webhook: WebhookReceiver
) -> None:
    webhook.answer(429, headers={"Retry-After": "3"})
    await innkeeper.start_notifier()  # NOTIFIER_RETRY_MAX_SECONDS=1: only Retry-After makes it wait 3 s
    await book_and_cancel(innkeeper, rate=LOW_RATE)
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the refund webhook settled")
    first, second = webhook.requests()
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 3


async def test_a_connection_closed_without_an_answer_is_tried_again(
    innkeeper: Innkeeper, webhook: WebhookReceiver
) -> None:
    webhook.drop()
    await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, rate=LOW_RATE)
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the refund webhook settled")
    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], record["attempts"]) == ("delivered", 2)
    assert record["last_error"].startswith("webhook unreachable: RemoteProtocolError")
    assert [request.status for request in webhook.requests()] == [0, 200]


async def test_a_send_that_times_out_is_tried_again(innkeeper: Innkeeper, webhook: WebhookReceiver) -> None:
    webhook.answer(200, delay=6)  # NOTIFIER_SEND_TIMEOUT_SECONDS=2
    await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, rate=LOW_RATE)
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the refund webhook settled")
    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], record["attempts"], record["last_error"]) == ("delivered", 2, "send timed out")
    assert len(webhook.requests()) == 2


async def test_a_410_is_dead_lettered_at_once_and_an_operator_sends_it_again(
    innkeeper: Innkeeper, webhook: WebhookReceiver
) -> None:
    webhook.answer(410)
    await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, rate=LOW_RATE)
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the refund webhook settled")
    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], record["attempts"], record["last_error"]) == (
        "failed",
        1,
        "webhook answered 410",
    )
    assert len(webhook.requests()) == 1

    code, output = await innkeeper.cli("notifier", "failed")
    assert code == 0, output
    [listed] = [json.loads(line) for line in output.splitlines() if line.startswith('{"id"')]
    assert (listed["id"], listed["recipient"], listed["reason"]) == (
        record["id"],
        "payments",
        "webhook answered 410",
    )

    code, output = await innkeeper.cli("notifier", "retry", "--id", str(record["id"]))
    assert (code, json.loads(output.splitlines()[-1])) == (0, {"retried": 1})
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the retried webhook settled")
    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], [r.status for r in webhook.requests()]) == ("delivered", [410, 200])
    code, output = await innkeeper.cli("notifier", "discard", "--id", str(record["id"]))
    assert (code, json.loads(output.splitlines()[-1])) == (1, {"discarded": 0})  # delivered: not failed


async def test_an_unreachable_receiver_is_dead_lettered_when_the_budget_is_spent(
    innkeeper: Innkeeper, webhook: WebhookReceiver
) -> None:
    nowhere = {"name": "ledger", "url": f"http://127.0.0.1:{free_port()}/hooks", "secret": SECRET,
               "events": ["RefundIssued"]}  # fmt: skip
    await innkeeper.start_notifier(WEBHOOK_SUBSCRIBERS=json.dumps([nowhere]), NOTIFIER_MAX_ATTEMPTS="3")
    await book_and_cancel(innkeeper, rate=LOW_RATE)
    await wait_until(lambda: settled(innkeeper, 1, "webhook"), 30, "the ledger webhook settled")
    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], record["attempts"], record["recipient"]) == ("failed", 3, "ledger")
    assert record["last_error"].startswith("webhook unreachable: ConnectError")
    assert record["last_error"].endswith("(after 3 attempts)")
    code, output = await innkeeper.cli("notifier", "discard", "--all")
    assert (code, json.loads(output.splitlines()[-1])) == (0, {"discarded": 1})


async def test_an_alert_for_a_hotel_without_a_contact_is_recorded_undeliverable(
    innkeeper: Innkeeper, mail: MailCatcher
) -> None:
    await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, management_email=None)
    await wait_until(lambda: settled(innkeeper, 3, "mail"), 30, "three mail records settled")
    alert = next(r for r in await deliveries(innkeeper, "mail") if r["template"] == "management_alert")
    assert (alert["state"], alert["attempts"]) == ("failed", 0)  # never tried: nowhere to send it
    assert "no management contact" in alert["last_error"]
    assert [m["To"] for m in mail.messages()] == ["ann@example.com", "ann@example.com"]
    code, output = await innkeeper.cli("notifier", "failed")
    assert code == 0
    assert "no management contact" in output
    code, output = await innkeeper.cli("notifier", "retry", "--all")  # no address: nothing to send again
    assert (code, json.loads(output.splitlines()[-1])) == (0, {"retried": 0})


async def test_a_contact_set_later_gets_the_alerts_raised_after_it(
    innkeeper: Innkeeper, mail: MailCatcher
) -> None:
    await innkeeper.start_notifier()
    [first] = await book_and_cancel(innkeeper, management_email=None)
    assert innkeeper.command is not None
    async with httpx.AsyncClient(base_url=innkeeper.command.url, headers=admin(), timeout=30) as client:
        contact = {"hotel_id": first["hotel_id"], "email": "desk@harbour.example"}
        accepted(await HttpCommands(client).send("SetManagementContact", contact))
    await book_and_cancel(innkeeper, hotel_id=first["hotel_id"])
    await wait_until(lambda: settled(innkeeper, 6, "mail"), 30, "six mail records settled")
    alerts = [r for r in await deliveries(innkeeper, "mail") if r["template"] == "management_alert"]
    assert [(r["state"], r["recipient"]) for r in alerts] == [
        ("failed", NO_CONTACT),
        ("delivered", "desk@harbour.example"),
    ]
    assert [m["To"] for m in mail.messages()].count("desk@harbour.example") == 1


async def test_mails_wait_while_the_smtp_server_is_down_and_arrive_once_it_is_back(
    innkeeper: Innkeeper, mail: MailCatcher
) -> None:
    await innkeeper.start_notifier(NOTIFIER_MAX_ATTEMPTS="100")  # tries every 0.5 to 1 s: enough for 20 s
    mail.stop()
    await book_and_cancel(innkeeper)
    await asyncio.sleep(20)  # the outage itself: the notifier keeps trying meanwhile
    records = {r["template"]: r for r in await deliveries(innkeeper, "mail")}
    assert sorted(records) == ["booking_cancelled", "booking_confirmed", "management_alert"]
    assert {r["state"] for r in records.values()} <= {"pending", "sending"}
    for tried in (records["booking_confirmed"], records["management_alert"]):
        assert tried["attempts"] > 1
        assert tried["last_error"].startswith("SMTP server unreachable")
    assert records["booking_cancelled"]["attempts"] == 0  # waits behind the confirmation of its booking
    mail.start()
    await wait_until(lambda: settled(innkeeper, 3, "mail"), 30, "the mails sent after the outage")
    guest = [str(m["Subject"]).split(" at ")[0] for m in mail.messages() if m["To"] == "ann@example.com"]
    assert guest == ["Your stay", "Your booking"]
    assert [m["To"] for m in mail.messages()].count("boss@harbour.example") == 1
    assert {r["state"] for r in await deliveries(innkeeper, "mail")} == {"delivered"}
