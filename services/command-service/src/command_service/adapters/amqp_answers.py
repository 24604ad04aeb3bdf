"""How the AMQP intake answers a command message: a reply to an allowed `reply_to`, and for a message that
must not be tried again, a dead letter with the reason (then the ack)."""

from __future__ import annotations

import structlog
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import DEAD_LETTER_EXCHANGE_SPEC
from command_service.application.requests import Outcome
from command_service.metrics import AMQP_DEAD_LETTERED
from innkeeper_contracts import CommandRejected
from innkeeper_contracts.topology import REJECTION_REASON_HEADER

log = structlog.get_logger("command_service.amqp")

ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"
ORIGINAL_USER_ID_HEADER = "x-original-user-id"


class IntakeAnswers:
    """Replies and dead letters, for the intake (`amqp_intake`)."""

    def __init__(self, broker: RabbitBroker, senders: AmqpSenders) -> None:
        self._broker, self._senders = broker, senders

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
                outcome.model_dump_json().encode(),
                routing_key=raw.reply_to,
                correlation_id=raw.correlation_id,
                content_type="application/json",
                mandatory=False,
            )
        except Exception as error:  # a lost reply must not lose or repeat the command
            log.warning("amqp.reply_failed", error=repr(error), reply_to=raw.reply_to)

    async def dead_letter(
        self,
        message: RabbitMessage,
        rejection: CommandRejected,
        *,
        reason: str | None = None,
        body: bytes | None = None,
    ) -> None:
        """Answer the rejection, republish the message (or `body` instead of its own) to the dead letters
        with `reason` (by default the rejection's type and detail), then ack it."""
        raw = message.raw_message
        reason = (reason or f"{rejection.type}: {rejection.detail}")[:1000]
        log.warning("amqp.dead_lettered", reason=reason, status=rejection.status)
        await self.reply(message, rejection)
        headers = {
            **(raw.headers or {}),
            REJECTION_REASON_HEADER: reason,
            ORIGINAL_ROUTING_KEY_HEADER: raw.routing_key or "",
            # The broker sets user_id only for the connection's own user: kept for whoever re-sends it.
            ORIGINAL_USER_ID_HEADER: raw.user_id or "",
        }
        try:
            await self._broker.publish(
                message.body if body is None else body,
                exchange=DEAD_LETTER_EXCHANGE_SPEC,
                routing_key=raw.routing_key or "",
                headers=headers,
                message_id=raw.message_id,
                correlation_id=raw.correlation_id,
                content_type=raw.content_type,
                persist=True,
                mandatory=False,
            )
        except Exception as error:  # then let RabbitMQ dead-letter it (without our reason header)
            log.warning("amqp.dead_letter_publish_failed", error=repr(error))
            await message.reject(requeue=False)
        else:
            await message.ack()
        AMQP_DEAD_LETTERED.inc()
