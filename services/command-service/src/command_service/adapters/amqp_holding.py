"""The pipeline as the AMQP intake runs it (`amqp_intake`): only PostgreSQL keeps a message. While it is
unreachable the message is held and tried again after a pause (the stop puts it back in the queue); a
statement it cancelled (a timeout) puts the message back after the pause, which counts towards the
queue's delivery limit — on the limit-th delivery it is answered 503 and dead-lettered with the cause."""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_answers import IntakeAnswers
from command_service.adapters.amqp_reading import delivered_before
from command_service.application.mediator import Mediator
from command_service.application.ports import DatabaseTimeoutError, ServiceUnavailableError
from command_service.application.rejections import unavailable
from command_service.application.requests import CommandRequest, Outcome
from innkeeper_contracts.topology import COMMANDS_DELIVERY_LIMIT

log = structlog.get_logger("command_service.amqp")


class HoldingPipeline:
    """Sends a message's request through the mediator, holding the message while PostgreSQL is down."""

    def __init__(self, mediator: Mediator, answers: IntakeAnswers, requeue_delay: float) -> None:
        self._mediator, self._answers, self._requeue_delay = mediator, answers, requeue_delay
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        """Messages held for PostgreSQL go back to the queue now (the process is stopping)."""
        self._stopping.set()

    async def outcome(self, message: RabbitMessage, request: CommandRequest) -> Outcome | None:
        """The pipeline's answer, or None when the message was settled without one."""
        while True:
            try:
                return await self._mediator.send(request)
            except DatabaseTimeoutError as error:  # the command may be at fault: the delivery limit counts
                await self._after_timeout(message, request, error)
                return None
            except ServiceUnavailableError as error:  # PostgreSQL itself: wait for it, holding the message
                log.warning("amqp.waiting_for_postgres", reason=str(error))
                if await self._pause():
                    await message.nack(requeue=True)
                    return None

    async def _after_timeout(
        self, message: RabbitMessage, request: CommandRequest, error: DatabaseTimeoutError
    ) -> None:
        """Back in the queue after the pause, or, on the limit-th delivery, answered 503 and dead-lettered
        with the cause (the broker's own dead letter would say only `delivery_limit`)."""
        deliveries = delivered_before(message.raw_message.headers) + 1
        # RabbitMQ dead-letters a message returned with its count past the limit (after limit + 1
        # deliveries); giving up at the limit-th holds whichever way a broker version counts.
        if deliveries >= COMMANDS_DELIVERY_LIMIT:
            rejection = unavailable(command=request.name, correlation_id=request.correlation_id)
            reason = f"unavailable: {error} ({deliveries} deliveries)"
            await self._answers.dead_letter(message, rejection, reason=reason)
        else:
            log.warning("amqp.requeued", reason=str(error), deliveries=deliveries)
            await self._pause()
            # reject, not nack: RabbitMQ 4.3 counts only a reject towards the delivery limit (3.x both).
            await message.reject(requeue=True)

    async def _pause(self) -> bool:
        """Wait the requeue delay (no spinning while PostgreSQL is down); True when stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._requeue_delay)
        return self._stopping.is_set()
