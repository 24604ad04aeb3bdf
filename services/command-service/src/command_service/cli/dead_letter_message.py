"""One message of the command dead-letter queue, as an operator sees it (`python -m command_service
dead-letters`): who sent which command when and why it was dead-lettered, the whole message with guest
personal data masked, and the command message that re-sends it.

A dead letter comes one of two ways. The intake republishes it with its reason (`x-rejection-reason`),
the original routing key and sender in headers (`x-original-*`: the broker lets the intake set `user_id`
only to its own user) and the time in `timestamp`. The broker dead-letters it itself (a delivery limit
reached, a reject the intake fell back to) keeping its properties and adding `x-death`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from command_service.adapters.amqp_answers import ORIGINAL_ROUTING_KEY_HEADER, ORIGINAL_USER_ID_HEADER
from command_service.adapters.amqp_senders import DIRECT_REPLY_TO
from command_service.cli.masking import masked, masked_body
from innkeeper_contracts.topology import REJECTION_REASON_HEADER
from innkeeper_kit.redaction import redact_text

# What dead-lettering added (and the quorum queue's count, which would make the intake give up early):
# none of it goes back with a retried command.
DEAD_LETTER_HEADERS = frozenset(
    {
        REJECTION_REASON_HEADER,
        ORIGINAL_ROUTING_KEY_HEADER,
        ORIGINAL_USER_ID_HEADER,
        "x-death",
        "x-delivery-count",
    }
)
DEAD_LETTER_HEADER_PREFIXES = ("x-first-death-", "x-last-death-")
KEPT_PROPERTIES = ("message_id", "correlation_id", "content_type", "content_encoding", "type", "app_id")
LISTED_REASON_CHARS = 200


@dataclass(frozen=True)
class DeadLetter:
    """A dead-lettered command message: its body, routing key, headers and properties as delivered."""

    body: bytes
    routing_key: str
    headers: Mapping[str, Any]
    properties: Mapping[str, Any]

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> DeadLetter:
        properties = {name: getattr(message, name) for name in KEPT_PROPERTIES}
        properties |= {"user_id": message.user_id, "reply_to": message.reply_to}
        properties |= {"timestamp": message.timestamp, "priority": message.priority}
        return cls(message.body, message.routing_key or "", dict(message.headers or {}), properties)

    @property
    def command(self) -> str:
        """The routing key it was sent with: the intake's header, the broker's `x-death`, or its own."""
        return str(
            self.headers.get(ORIGINAL_ROUTING_KEY_HEADER)
            or self._first_death("routing-keys", [""])[0]
            or self.routing_key
        )

    @property
    def sender(self) -> str | None:
        """The broker user that sent it (the intake keeps it in a header; the broker, in `user_id`)."""
        return str(self.headers.get(ORIGINAL_USER_ID_HEADER) or self.properties.get("user_id") or "") or None

    @property
    def reason(self) -> str:
        """The intake's reason, or the broker's (`delivery_limit`, `rejected`, ...) with the queue."""
        if reason := self.headers.get(REJECTION_REASON_HEADER):
            return str(reason)
        death = self.headers.get("x-first-death-reason") or self._first_death("reason", "unknown")
        return f"{death} (dead-lettered by the broker from {self._first_death('queue', '?')})"

    @property
    def when(self) -> datetime | None:
        """When it was dead-lettered: the intake's timestamp, or the broker's first death."""
        moment = self.properties.get("timestamp") or self._first_death("time", None)
        return moment if isinstance(moment, datetime) else None

    @property
    def id(self) -> str:
        """Stable across listings (a digest of what the message is); copies of one message share it."""
        when = self.when.isoformat() if self.when else ""
        parts = [self.properties.get("message_id") or "", self.command, when, self.reason]
        digest = hashlib.sha256("\0".join(map(str, parts)).encode() + b"\0" + self.body)
        return digest.hexdigest()[:12]

    def matches(self, selector: str) -> bool:
        """Named by its id, or by its `message_id` (what the sending team knows it by)."""
        return selector in (self.id, self.properties.get("message_id"))

    def line(self) -> str:
        """One line for `list`: id, command, when, sender, size, reason (masked, cut)."""
        when = self.when.strftime("%Y-%m-%dT%H:%M:%SZ") if self.when else "-"
        reason = " ".join(redact_text(self.reason).split())
        if len(reason) > LISTED_REASON_CHARS:
            reason = reason[: LISTED_REASON_CHARS - 1] + "…"
        return (
            f"{self.id}  {self.command:<20} {when}  {self.sender or '-':<20} {len(self.body):>7} B  {reason}"
        )

    def detail(self) -> dict[str, Any]:
        """Everything it carries for `show`, personal data masked (as the service's logs mask it)."""
        return {
            "id": self.id,
            "command": self.command,
            "when": self.when.isoformat() if self.when else None,
            "sender": self.sender,
            "reason": redact_text(self.reason),
            "size": len(self.body),
            "properties": masked({k: v for k, v in self.properties.items() if v is not None}),
            "headers": masked(dict(self.headers)),
            "body": masked_body(self.body),
        }

    def resend(self) -> aio_pika.Message:
        """The command message again, as its sender sent it: same `message_id` (so the intake's idempotency
        holds), sender (`user_id`), properties and own headers; persistent. A direct reply-to address
        is left out: the channel it named is gone."""
        headers = {
            key: value
            for key, value in self.headers.items()
            if key not in DEAD_LETTER_HEADERS and not key.startswith(DEAD_LETTER_HEADER_PREFIXES)
        }
        reply_to = self.properties.get("reply_to")
        kept = {name: self.properties.get(name) for name in KEPT_PROPERTIES}
        return aio_pika.Message(
            self.body,
            headers=headers,
            user_id=self.sender,
            reply_to=None if not reply_to or reply_to.startswith(DIRECT_REPLY_TO) else reply_to,
            priority=self.properties.get("priority"),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            **kept,
        )

    def _first_death(self, field: str, default: Any) -> Any:
        deaths = self.headers.get("x-death")
        if isinstance(deaths, list) and deaths and isinstance(deaths[-1], Mapping):
            return deaths[-1].get(field) or default  # the list is newest first: its last is the first
        return default
