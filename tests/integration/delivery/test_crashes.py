"""kill -9 in the middle of a burst loses no mail and resends at most the ones in flight, with the
same `Message-ID`; two replicas side by side never send one delivery twice."""

from __future__ import annotations

import asyncio

from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.waiting import wait_until
from testkit.webhooks import WebhookReceiver

from delivery.support import book_and_cancel, message_ids, notification_ids, settled

LOW_RATE = "100.00"
"""No alerts: each stay is two guest mails and one `RefundIssued` webhook."""
CONCURRENCY = 8


async def test_kill_9_in_a_burst_of_200_cancellations_loses_nothing(
    innkeeper: Innkeeper, mail: MailCatcher, webhook: WebhookReceiver
) -> None:
    notifier = await innkeeper.start_notifier(NOTIFIER_CONCURRENCY=str(CONCURRENCY))
    burst = asyncio.create_task(book_and_cancel(innkeeper, 200, rate=LOW_RATE))
    await wait_until(lambda: len(mail.messages()) >= 60, 60, "the first 60 mails of the burst")
    notifier.kill()
    at_kill = len(mail.messages())
    assert not burst.done(), "the burst ended before the crash: nothing was in the middle"
    await asyncio.to_thread(notifier.start)  # the same port, a new process
    await burst

    expected = await notification_ids(innkeeper)
    assert len(expected) == 400
    await wait_until(lambda: message_ids(mail.messages()).keys() >= expected, 60, "every mail of the burst")
    await wait_until(lambda: settled(innkeeper, 600), 30, "every delivery recorded as delivered")
    sent = message_ids(mail.messages())
    assert sent.keys() == expected
    assert max(sent.values()) <= 2  # at most once more per crash (one crash here)
    assert sum(sent.values()) - len(sent) <= CONCURRENCY  # only what was in flight at the kill
    hooks = [request.headers["webhook-id"] for request in webhook.requests()]
    assert len(set(hooks)) == 200
    assert len(hooks) - 200 <= CONCURRENCY
    assert 60 <= at_kill < 400


async def test_two_replicas_deliver_each_mail_once(innkeeper: Innkeeper, mail: MailCatcher) -> None:
    await innkeeper.start_notifier()
    await innkeeper.start_notifier()
    await book_and_cancel(innkeeper, 100, rate=LOW_RATE)
    expected = await notification_ids(innkeeper)
    await wait_until(lambda: message_ids(mail.messages()).keys() >= expected, 60, "every mail")
    await wait_until(lambda: settled(innkeeper, 300), 30, "every delivery recorded as delivered")
    sent = message_ids(mail.messages())
    assert (len(sent), max(sent.values())) == (200, 1)
    delivering = [p for p in innkeeper.notifiers if '"event":"delivered"' in p.logs()]
    assert len(delivering) == 2, "both replicas took part"
