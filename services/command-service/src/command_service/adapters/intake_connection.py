"""The AMQP intake's life: connect, declare the command topology, consume; again until it works; stop.

Start-up never waits for RabbitMQ (commands are accepted over HTTP meanwhile). A queue RabbitMQ holds
with other arguments (a classic intake queue from before it was a quorum queue, dead letters declared
with other bounds) keeps the intake off: it is said once in the log (`amqp.queue_mismatch`, with the
broker's words and the fix) and in readiness (`rabbitmq: queue-mismatch`) until the queue is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from faststream.rabbit import RabbitBroker, RabbitQueue

from command_service.adapters.amqp_intake import CommandIntake
from command_service.adapters.amqp_topology import TopologyMismatchError, declare_command_topology

log = structlog.get_logger("command_service.runtime")
QUEUE_MISMATCH_FIX = (
    "RabbitMQ cannot change a queue's arguments: move its messages elsewhere (or let the previous "
    "version drain it), delete the queue, and the intake declares it anew"
)


class IntakeConnection:
    """The broker of the command intake, started (retrying) and stopped, with its state for readiness."""

    def __init__(
        self, broker: RabbitBroker, intake: CommandIntake, dead_letters: RabbitQueue, retry_delay: float = 2.0
    ) -> None:
        self._broker, self._intake, self._dead_letters = broker, intake, dead_letters
        self._retry_delay = retry_delay
        self._started = False
        self._mismatch: str | None = None

    async def start(self) -> None:
        """Connect, declare and consume; on failure try again after a pause, until it works."""
        while True:
            try:
                await self._broker.connect()
                await declare_command_topology(self._broker, self._dead_letters)
                await self._broker.start()
            except TopologyMismatchError as error:
                if self._mismatch != str(error):  # once, not on every attempt
                    log.error("amqp.queue_mismatch", broker_says=str(error), fix=QUEUE_MISMATCH_FIX)
                self._mismatch = str(error)
            except Exception as error:
                log.warning("amqp.intake_waiting", error=repr(error))
            else:
                self._started, self._mismatch = True, None
                log.info("amqp.intake_started")
                return
            with contextlib.suppress(Exception):
                await self._broker.stop()
            await asyncio.sleep(self._retry_delay)

    async def state(self) -> str:
        """`up`, `down`, or `queue-mismatch` (a queue to re-create: the log says which and why)."""
        if self._mismatch is not None:
            return "queue-mismatch"
        return "up" if self._started and await self._broker.ping(timeout=1) else "down"

    async def stop(self) -> None:
        """Stop consuming: messages held for PostgreSQL go back to the queue, the ones in hand finish
        (within the broker's graceful timeout), the connection closes."""
        self._intake.stop()
        with contextlib.suppress(Exception):
            await self._broker.stop()
