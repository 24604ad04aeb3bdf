"""AMQP command intake: `innkeeper.commands` → `innkeeper.commands.intake` → the mediator.

Routing key = command name, body = the command JSON, `message_id` = idempotency key, `user_id` = the
sender (`amqp_senders`). With an allowed `reply_to` the answer (CommandAccepted / CommandRejected) goes
back with the same correlation id. Every message is settled: a message without a known sender is
answered 401/403 (through direct reply-to only) and acked before its body is read; one with headers or a
body over its limit, a malformed or invalid one, or one that fails on an unexpected error (500
`internal`), is dead-lettered with `x-rejection-reason` (and the sender in `x-original-user-id`);
business rejections are answered and acked. Only PostgreSQL keeps a message (`amqp_holding`).
"""

from __future__ import annotations

import structlog
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_answers import IntakeAnswers
from command_service.adapters.amqp_holding import HoldingPipeline
from command_service.adapters.amqp_reading import MessageLimits, read_command
from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.intake_span import command_span
from command_service.application.access import ForbiddenError, UnauthenticatedError
from command_service.application.mediator import Mediator
from command_service.application.rejections import internal_error, refused
from command_service.application.requests import CommandRequest
from command_service.metrics import Metrics
from innkeeper_contracts import COMMANDS, CommandRejected
from innkeeper_kit.identifiers import acceptable_id, new_correlation_id

log = structlog.get_logger("command_service.amqp")


class CommandIntake:
    """Turns a command message into a request, and the outcome into a reply and an ack decision."""

    def __init__(
        self,
        broker: RabbitBroker,
        mediator: Mediator,
        senders: AmqpSenders,
        *,
        limits: MessageLimits,
        requeue_delay: float = 1.0,
        metrics: Metrics | None = None,
    ) -> None:
        self._metrics = metrics or Metrics()
        self._answers = IntakeAnswers(broker, senders, limits.max_body_bytes, self._metrics)
        self._pipeline = HoldingPipeline(mediator, self._answers, requeue_delay)
        self._senders, self._limits = senders, limits

    def stop(self) -> None:
        """Messages held for PostgreSQL go back to the queue now (the process is stopping)."""
        self._pipeline.stop()

    async def handle(self, message: RabbitMessage) -> None:
        name = message.raw_message.routing_key or ""
        # As over HTTP, an id outside the one format is replaced (the reply still carries the sender's).
        given = message.raw_message.correlation_id
        correlation_id = given if given and acceptable_id(given) else new_correlation_id()
        with (
            structlog.contextvars.bound_contextvars(correlation_id=correlation_id, command=name),
            command_span(message.raw_message, name, correlation_id),
        ):
            try:
                await self._take(message, name, correlation_id)
            except Exception as error:  # whatever it was, the message is answered and settled
                log.exception("amqp.unexpected_error", error_type=type(error).__name__)
                await self._give_up(message, error, name, correlation_id)

    async def _take(self, message: RabbitMessage, name: str, correlation_id: str) -> None:
        raw = message.raw_message
        principal = self._senders.principal(raw.user_id) if raw.user_id else None
        if principal is None:  # refused here, before the body is read (the pipeline would refuse too)
            error = _unknown_sender(raw.user_id)
            rejection = refused(error, command=name, correlation_id=correlation_id)
            log.warning("amqp.sender_refused", user_id=raw.user_id, status=rejection.status)
            self._metrics.refused_early(name, rejection.kind)
            await self._answers.reply(message, rejection)
            return await message.ack()
        read = read_command(
            name,
            message.body,
            raw.message_id,
            raw.headers,
            correlation_id=correlation_id,
            limits=self._limits,
        )
        if isinstance(read, CommandRejected):  # too large, malformed, invalid: never reaches the mediator
            self._metrics.refused_early(name, read.kind)
            return await self._answers.dead_letter(message, read)
        request = CommandRequest(
            read.command, correlation_id, idempotency_key=read.idempotency_key, principal=principal
        )
        outcome = await self._pipeline.outcome(message, request)
        if outcome is None:  # settled already: back in the queue, or dead-lettered
            return None
        if isinstance(outcome, CommandRejected) and outcome.status in (400, 422):
            return await self._answers.dead_letter(message, outcome)
        await self._answers.reply(message, outcome)
        return await message.ack()

    async def _give_up(
        self, message: RabbitMessage, error: Exception, name: str, correlation_id: str
    ) -> None:
        if message.committed is not None:  # settled before it failed: nothing left to answer
            return
        rejection = internal_error(command=name if name in COMMANDS else None, correlation_id=correlation_id)
        reason = f"internal: {type(error).__name__} (logged under correlation id {correlation_id})"
        try:
            await self._answers.dead_letter(message, rejection, reason=reason)
        except Exception:  # the channel is gone: the broker delivers the message again (delivery limit)
            log.exception("amqp.settle_failed")


def _unknown_sender(user_id: str | None) -> ForbiddenError | UnauthenticatedError:
    if not user_id:
        return UnauthenticatedError("a command message needs a user_id (the broker-verified sender)")
    return ForbiddenError(f"broker user {user_id!r} may not send commands (AMQP_SENDERS)")
