"""Webhook signatures are the Standard Webhooks ones: the reference library verifies what we sign."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from notifier_builders import envelope, eur, stay
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from innkeeper_contracts import RefundIssued
from notifier.deliveries import Delivery
from notifier.settings import WebhookSubscriber
from notifier.webhooks import retry_after, signed_headers

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def delivery() -> Delivery:
    event = envelope(RefundIssued(**stay(), guest_id="g-1", amount=eur("50.00"), policy="half"))
    return Delivery(
        id=1, event_id=event.event_id, event_type="RefundIssued", channel="webhook", recipient="payments",
        template="webhook", correlation_id="corr-1", envelope=event, state="sending", attempts=1,
        last_error=None, created_at=datetime.now(UTC), claim=None,
    )  # fmt: skip


SUBSCRIBER = WebhookSubscriber(
    name="payments", url="https://pay.example/hooks", secret=SECRET, events=["RefundIssued"]
)  # type: ignore[arg-type]


def test_the_reference_library_verifies_the_signature_and_the_event_id_is_the_idempotency_key() -> None:
    sent = delivery()
    body = sent.envelope.model_dump_json().encode()
    headers = signed_headers(SUBSCRIBER, sent, body)
    assert Webhook(SECRET).verify(body, headers)["event_id"] == str(sent.event_id)
    assert headers["webhook-id"] == headers["idempotency-key"] == str(sent.event_id)


def test_a_changed_body_or_another_secret_fails_verification() -> None:
    sent = delivery()
    body = sent.envelope.model_dump_json().encode()
    headers = signed_headers(SUBSCRIBER, sent, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body.replace(b"50.00", b"5000.00"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(body, headers)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), ("", None), ("7", 7.0), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(value: str | None, seconds: float | None) -> None:
    assert retry_after(value) == seconds


@pytest.mark.parametrize(
    "secret", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_short", "whsec_!!!notbase64!!!"]
)
def test_a_secret_that_is_not_a_standard_webhooks_key_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="whsec_"):
        WebhookSubscriber(name="p", url="https://x.example", secret=secret, events=["RefundIssued"])  # type: ignore[arg-type]
