"""AMQP command intake: `innkeeper.commands` → `innkeeper.commands.intake` → the mediator.

Routing key = command name, body = the command JSON, `message_id` = idempotency key, `user_id` = the
sender (`amqp_senders`). With an allowed `reply_to` the answer (CommandAccepted / CommandRejected) goes
back with the same correlation id. A message without a known sender is answered 401/403 (through direct
reply-to only) and acked before its body is read: it reaches neither the pipeline nor the dead letters.
Malformed or invalid messages are dead-lettered with `x-rejection-reason` (and the sender in
`x-original-user-id`); business rejections are answered and acked; PostgreSQL trouble is nacked with
requeue (nothing is lost).
"""

from __future__ import annotations

import asyncio
from uuid import uuid4

import structlog
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from pydantic import ValidationError

from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import DEAD_LETTER_EXCHANGE_SPEC
from command_service.application.access import ForbiddenError, UnauthenticatedError
from command_service.application.mediator import Mediator
from command_service.application.ports import ServiceUnavailableError
from command_service.application.rejections import (
    field_errors,
    invalid_command,
    is_malformed,
    malformed_message,
    refused,
)
from command_service.application.requests import CommandRequest, Outcome
from command_service.metrics import AMQP_DEAD_LETTERED, COMMANDS_REJECTED
from innkeeper_contracts import COMMANDS, CommandRejected
from innkeeper_contracts.topology import REJECTION_REASON_HEADER

log = structlog.get_logger("command_service.amqp")

ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"
ORIGINAL_USER_ID_HEADER = "x-original-user-id"


class CommandIntake:
    """Turns a command message into a request, and the outcome into a reply and an ack decision."""

    def __init__(
        self, broker: RabbitBroker, mediator: Mediator, senders: AmqpSenders, requeue_delay: float = 1.0
    ) -> None:
        self._broker, self._mediator, self._senders = broker, mediator, senders
        self._requeue_delay = requeue_delay

    async def handle(self, message: RabbitMessage) -> None:
        raw = message.raw_message
        name = raw.routing_key or ""
        correlation_id = raw.correlation_id or uuid4().hex
        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id, command=name):
            principal = self._senders.principal(raw.user_id) if raw.user_id else None
            if principal is None:  # refused here, before the body is read (the pipeline would refuse too)
                error = _unknown_sender(raw.user_id)
                log.warning("amqp.sender_refused", user_id=raw.user_id, status=error.status)
                COMMANDS_REJECTED.labels(name if name in COMMANDS else "unknown", error.problem_type).inc()
                await self._reply(message, refused(error, command=name, correlation_id=correlation_id))
                return await message.ack()
            model = COMMANDS.get(name)
            if model is None:
                rejection = malformed_message(
                    f"unknown command {name!r}", command=None, correlation_id=correlation_id
                )
                return await self._dead_letter(message, rejection)
            try:
                command = model.model_validate_json(message.body)
            except ValidationError as error:
                errors = error.errors(include_url=False, include_context=False)
                if is_malformed(errors):
                    rejection = malformed_message(
                        "body is not valid JSON", command=name, correlation_id=correlation_id
                    )
                else:
                    rejection = invalid_command(
                        field_errors(errors), command=name, correlation_id=correlation_id
                    )
                return await self._dead_letter(message, rejection)
            request = CommandRequest(
                command, correlation_id, idempotency_key=raw.message_id or None, principal=principal
            )
            try:
                outcome = await self._mediator.send(request)
            except ServiceUnavailableError:
                log.warning("amqp.requeued", reason="PostgreSQL unavailable")
                await asyncio.sleep(self._requeue_delay)  # do not spin while the database is down
                return await message.nack(requeue=True)
            if isinstance(outcome, CommandRejected) and outcome.status in (400, 422):
                return await self._dead_letter(message, outcome)
            await self._reply(message, outcome)
            await message.ack()
            return None

    async def _reply(self, message: RabbitMessage, outcome: Outcome) -> None:
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

    async def _dead_letter(self, message: RabbitMessage, rejection: CommandRejected) -> None:
        raw = message.raw_message
        log.warning("amqp.dead_lettered", reason=rejection.detail, status=rejection.status)
        await self._reply(message, rejection)
        headers = {
            **(raw.headers or {}),
            REJECTION_REASON_HEADER: f"{rejection.type}: {rejection.detail}"[:1000],
            ORIGINAL_ROUTING_KEY_HEADER: raw.routing_key or "",
            # The broker sets user_id only for the connection's own user: kept for whoever re-sends it.
            ORIGINAL_USER_ID_HEADER: raw.user_id or "",
        }
        try:
            await self._broker.publish(
                message.body,
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


def _unknown_sender(user_id: str | None) -> ForbiddenError | UnauthenticatedError:
    if not user_id:
        return UnauthenticatedError("a command message needs a user_id (the broker-verified sender)")
    return ForbiddenError(f"broker user {user_id!r} may not send commands (AMQP_SENDERS)")
