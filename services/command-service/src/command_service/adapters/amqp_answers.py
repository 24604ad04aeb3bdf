"""How the AMQP intake answers a command message: a reply to an allowed `reply_to`, and for a message that
must not be tried again, a dead letter with the reason (then the ack).

Nothing published here can be more than the broker takes. A message's properties travel in one frame
(RabbitMQ: 128 KiB) and a publish over it makes the broker close the whole connection, every consumer
with it: a dead letter carries only the headers defined here, never the sender's, and short-string
properties (255 bytes at most each); its body is at most AMQP_MAX_COMMAND_BYTES, a reply at most
REPLY_MAX_BYTES."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from aio_pika.abc import HeadersType
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import DEAD_LETTER_EXCHANGE_SPEC
from command_service.application.requests import Outcome
from command_service.metrics import Metrics
from innkeeper_contracts import CommandAccepted, CommandRejected, FieldError
from innkeeper_contracts.problems import amqp_instance
from innkeeper_contracts.topology import REJECTION_REASON_HEADER
from innkeeper_kit.identifiers import acceptable_id

log = structlog.get_logger("command_service.amqp")

ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"
ORIGINAL_USER_ID_HEADER = "x-original-user-id"
REASON_MAX_CHARS = 1_000
REPLY_MAX_BYTES = 65_536


class IntakeAnswers:
    """Replies and dead letters, for the intake (`amqp_intake`)."""

    def __init__(
        self, broker: RabbitBroker, senders: AmqpSenders, max_body_bytes: int, metrics: Metrics
    ) -> None:
        self._broker, self._senders, self._max_body_bytes = broker, senders, max_body_bytes
        self._metrics = metrics

    async def reply(self, message: RabbitMessage, outcome: Outcome) -> None:
        """Publish the answer to the message's `reply_to`, if it has one the sender may use."""
        raw = message.raw_message
        if not raw.reply_to:
            return
        if not self._senders.may_reply_to(raw.reply_to, raw.user_id):
            log.warning("amqp.reply_to_refused", reply_to=raw.reply_to[:200])
            return
        try:
            await self._broker.publish(
                reply_body(located(outcome, raw.message_id)),
                routing_key=raw.reply_to,
                correlation_id=raw.correlation_id,
                content_type="application/json",
                mandatory=False,
            )
        except Exception as error:  # a lost reply must not lose or repeat the command
            log.warning("amqp.reply_failed", error=repr(error), reply_to=raw.reply_to)

    async def dead_letter(
        self, message: RabbitMessage, rejection: CommandRejected, *, reason: str | None = None
    ) -> None:
        """Answer the rejection, republish the message to the dead letters with `reason` (by default the
        rejection's type and detail) and none of its own headers, then ack it."""
        raw = message.raw_message
        reason = (reason or f"{rejection.kind}: {rejection.detail}")[:REASON_MAX_CHARS]
        log.warning("amqp.dead_lettered", reason=reason, status=rejection.status)
        await self.reply(message, rejection)
        headers: HeadersType = {
            REJECTION_REASON_HEADER: reason,
            ORIGINAL_ROUTING_KEY_HEADER: raw.routing_key or "",
            # The broker sets user_id only for the connection's own user: kept for whoever re-sends it.
            ORIGINAL_USER_ID_HEADER: raw.user_id or "",
        }
        # A body over the limit is not kept (refused as too large, the reason gives its size).
        body = message.body if len(message.body) <= self._max_body_bytes else b""
        try:
            await self._broker.publish(
                body,
                exchange=DEAD_LETTER_EXCHANGE_SPEC,
                routing_key=raw.routing_key or "",
                headers=headers,
                message_id=raw.message_id,
                correlation_id=raw.correlation_id,
                content_type=raw.content_type,
                timestamp=datetime.now(UTC),  # when it was dead-lettered (`dead-letters list`)
                persist=True,
                mandatory=False,
            )
        except Exception as error:  # then let RabbitMQ dead-letter it (without our reason header)
            log.warning("amqp.dead_letter_publish_failed", error=repr(error))
            await message.reject(requeue=False)
        else:
            await message.ack()
        self._metrics.dead_lettered.inc()


def located(outcome: Outcome, message_id: str | None) -> Outcome:
    """A rejection names the message it answers in `instance` (`urn:innkeeper:command:<message_id>`),
    when that id is one the intake takes (another could not be part of a URI)."""
    if isinstance(outcome, CommandAccepted) or not message_id or not acceptable_id(message_id):
        return outcome
    return outcome.model_copy(update={"instance": amqp_instance(message_id)})


def reply_body(outcome: Outcome) -> bytes:
    """The outcome as JSON, at most REPLY_MAX_BYTES: a body of many hostile field names makes as many
    field errors; those that do not fit are left out (the detail says how many)."""
    encoded = outcome.model_dump_json().encode()
    if len(encoded) <= REPLY_MAX_BYTES or not isinstance(outcome, CommandRejected):
        return encoded
    shown: list[FieldError] = []
    room = REPLY_MAX_BYTES // 2  # the rest for the detail (cut below) and the other, short fields
    for error in outcome.errors:
        room -= len(error.model_dump_json()) + 1
        if room < 0:
            break
        shown.append(error)
    left_out = len(outcome.errors) - len(shown)
    detail = f"{outcome.detail[:REASON_MAX_CHARS]}… ({left_out} field errors left out)"
    return outcome.model_copy(update={"errors": shown, "detail": detail}).model_dump_json().encode()
