"""What is not a valid event is dead-lettered with its reason, and the shard goes on; a graceful stop
lets a send in flight finish and records it."""

from __future__ import annotations

import asyncio
import json
from uuid import uuid4

import aio_pika
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.waiting import wait_until
from testkit.webhooks import WebhookReceiver

from delivery.support import book_and_cancel, deliveries, settled
from innkeeper_contracts.topology import EVENTS_EXCHANGE, REJECTION_REASON_HEADER, event_headers
from notifier.topology import DEAD_LETTER_QUEUE


async def test_a_poison_event_is_dead_lettered_and_the_next_one_delivered(
    innkeeper: Innkeeper, mail: MailCatcher, webhook: WebhookReceiver
) -> None:
    await innkeeper.start_notifier(NOTIFIER_SHARDS="1")  # one shard: the poison is right in front
    hotel = str(uuid4())
    refund = {  # a webhook-only event whose data PostgreSQL could not even store (NUL)
        "event_id": str(uuid4()), "event_type": "RefundIssued", "schema_version": 1,
        "aggregate_type": "booking", "aggregate_id": str(uuid4()), "aggregate_version": 3,
        "global_position": 1, "partition_key": hotel,
        "occurred_at": "2027-01-01T00:00:00Z", "correlation_id": "poison", "causation_id": "poison",
        "data": {"booking_id": str(uuid4()), "hotel_id": hotel, "guest_id": "g\u0000",
                 "amount": {"amount": "1.00", "currency": "EUR"}, "policy": "full"},
    }  # fmt: skip
    newer = {  # valid as version 1 is, but of a version this notifier does not know yet
        **refund, "event_id": str(uuid4()), "schema_version": 2, "data": {**refund["data"], "guest_id": "g"}
    }  # fmt: skip
    connection = await aio_pika.connect(innkeeper.env["RABBITMQ_URL"])
    async with connection, connection.channel() as channel:
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        headers = event_headers(partition_key=hotel, event_type="RefundIssued", correlation_id="poison")
        for body in (json.dumps(refund).encode(), b"not json at all", json.dumps(newer).encode()):
            message = aio_pika.Message(body, headers=dict(headers))
            await exchange.publish(message, routing_key="booking.refund_issued")

        await book_and_cancel(innkeeper)
        await wait_until(lambda: settled(innkeeper, 5), 30, "the story's three mails and two hooks")
        assert len(mail.messages()) == 3
        assert all(r["state"] == "delivered" for r in await deliveries(innkeeper))

        letters = await channel.get_queue(DEAD_LETTER_QUEUE, ensure=False)
        reasons = []
        while (letter := await letters.get(fail=False, no_ack=True)) is not None:
            reasons.append(str((letter.headers or {})[REJECTION_REASON_HEADER]))
    assert len(reasons) == 3
    assert any("guest_id" in reason for reason in reasons), reasons
    assert any(reason.startswith("invalid event") for reason in reasons), reasons
    too_new = "RefundIssued data of schema version 2 is newer than this reader knows (up to 1)"
    assert any(reason.startswith(too_new) for reason in reasons), reasons


async def test_a_graceful_stop_lets_the_send_in_flight_finish_and_records_it(
    innkeeper: Innkeeper, webhook: WebhookReceiver
) -> None:
    webhook.answer(200, delay=1.5)  # under the send timeout (2 s), within the drain (5 s)
    notifier = await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, rate="100.00")
    await wait_until(lambda: len(webhook.requests()) == 1, 20, "the refund webhook in flight")
    assert await asyncio.to_thread(notifier.terminate) == 0
    [record] = await deliveries(innkeeper, "webhook")
    assert (record["state"], record["attempts"]) == ("delivered", 1)
    assert len(webhook.requests()) == 1
