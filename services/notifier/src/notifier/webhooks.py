"""Webhooks: each event a subscriber asked for, POSTed as JSON and signed the Standard Webhooks way.

`webhook-id` is the event id (a receiver's idempotency key, sent as `Idempotency-Key` too),
`webhook-timestamp` the send time in Unix seconds, `webhook-signature` `v1,` + base64 of HMAC-SHA256 over
`id.timestamp.body` with the subscriber's secret: a receiver verifies the body and refuses old timestamps
(replays). 2xx is delivered; 408, 429, 5xx and network trouble are retried (honouring `Retry-After`);
any other answer is final. Redirects are not followed: a subscriber's URL is configured, not discovered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from .deliveries import Delivery
from .failures import PermanentFailureError, TemporaryFailureError
from .settings import WebhookSubscriber

RETRYABLE = frozenset({408, 425, 429})


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header's value for one body."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(subscriber: WebhookSubscriber, delivery: Delivery, body: bytes) -> dict[str, str]:
    message_id, timestamp = str(delivery.event_id), int(time.time())
    return {
        "content-type": "application/json",
        "user-agent": "innkeeper-notifier",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(subscriber.signing_key(), message_id, timestamp, body),
        "idempotency-key": message_id,
        "x-event-type": delivery.event_type,
        "x-correlation-id": delivery.correlation_id,
    }


class WebhookSender:
    """POSTs deliveries to their subscribers over one pooled HTTP client."""

    def __init__(self, subscribers: list[WebhookSubscriber], timeout: float) -> None:
        self.subscribers = {subscriber.name: subscriber for subscriber in subscribers}
        self.client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def close(self) -> None:
        await self.client.aclose()

    async def send(self, delivery: Delivery) -> None:
        subscriber = self.subscribers.get(delivery.recipient)
        if subscriber is None:
            raise PermanentFailureError(f"no webhook subscriber {delivery.recipient!r} is configured now")
        body = delivery.envelope.model_dump_json().encode()
        try:
            answer = await self.client.post(
                str(subscriber.url), content=body, headers=signed_headers(subscriber, delivery, body)
            )
        except httpx.TimeoutException as error:
            raise TemporaryFailureError(f"webhook timed out: {type(error).__name__}") from error
        except httpx.TransportError as error:
            raise TemporaryFailureError(f"webhook unreachable: {type(error).__name__}: {error}") from error
        if answer.is_success:
            return
        reason = f"webhook answered {answer.status_code}"
        if answer.status_code in RETRYABLE or answer.status_code >= 500:
            raise TemporaryFailureError(reason, retry_after(answer.headers.get("retry-after")))
        raise PermanentFailureError(reason)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)
