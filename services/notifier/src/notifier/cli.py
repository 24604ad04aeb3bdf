"""The operator's tools: `python -m notifier failed | retry | discard` on dead-lettered deliveries."""

from __future__ import annotations

import json

from innkeeper_kit.redaction import redact_text

from .deliveries import Delivery
from .settings import Settings
from .store import DeliveryStore


async def failed(settings: Settings) -> int:
    """Print one JSON line per dead-lettered delivery (recipients' addresses masked)."""
    store = await DeliveryStore.connect(settings.postgres_dsn, size=1)
    try:
        for delivery in await store.failed_deliveries():
            print(json.dumps(_line(delivery)))
    finally:
        await store.close()
    return 0


async def retry(settings: Settings, ids: list[int] | None) -> int:
    """Send these (or all) dead-lettered deliveries again, from the first attempt."""
    return await _change(settings, "retried", ids, lambda store: store.requeue(ids))


async def discard(settings: Settings, ids: list[int] | None) -> int:
    """Give these (or all) dead-lettered deliveries up: kept as records, never sent."""
    return await _change(settings, "discarded", ids, lambda store: store.discard(ids))


async def _change(settings: Settings, what: str, ids: list[int] | None, change: object) -> int:
    store = await DeliveryStore.connect(settings.postgres_dsn, size=1)
    try:
        count = await change(store)  # type: ignore[operator]
    finally:
        await store.close()
    print(json.dumps({what: count}))
    return 0 if ids is None or count == len(set(ids)) else 1


def _line(delivery: Delivery) -> dict[str, object]:
    return {
        "id": delivery.id,
        "event_id": str(delivery.event_id),
        "event_type": delivery.event_type,
        "channel": delivery.channel,
        "recipient": mask(delivery.recipient) if delivery.channel == "mail" else delivery.recipient,
        "template": delivery.template,
        "attempts": delivery.attempts,
        "reason": redact_text(delivery.last_error) if delivery.last_error else None,
        "since": delivery.created_at.isoformat(),
    }


def mask(address: str) -> str:
    """`g***@example.com`: enough to tell deliveries apart, not enough to read a guest's address."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}***{at}{domain}" if at else address
