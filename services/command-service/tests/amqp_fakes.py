"""The AMQP intake on FastStream's in-memory TestRabbitBroker, with a mediator that answers as scripted."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from faststream.rabbit import RabbitBroker, RabbitQueue, TestRabbitBroker
from faststream.rabbit.annotations import RabbitMessage

from command_service.adapters.amqp_intake import CommandIntake
from command_service.adapters.amqp_reading import MessageLimits
from command_service.adapters.amqp_senders import AmqpSenders
from command_service.adapters.amqp_topology import (
    COMMANDS_EXCHANGE_SPEC,
    DEAD_LETTER_EXCHANGE_SPEC,
    register_intake,
)
from command_service.application.requests import CommandRequest, Outcome
from command_service.settings import AmqpSender, Settings
from innkeeper_contracts import CommandAccepted

ACCEPTED = CommandAccepted(
    command="RegisterHotel", aggregate_id=uuid4(), consistency_token="1.x.1", correlation_id="c"
)
SENDERS = AmqpSenders({"partner": AmqpSender(role="service")}, ["replies-under-"])
DEFAULT_LIMITS = MessageLimits(
    max_body_bytes=Settings.model_fields["amqp_max_command_bytes"].default,
    max_header_bytes=Settings.model_fields["amqp_max_header_bytes"].default,
)
Answer = Outcome | Exception | Callable[[], Outcome]


class ScriptedMediator:
    """Answers the commands with the outcomes it was given, in turn (an exception is raised, a callable
    is called); the last one answers every command after it."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[CommandRequest] = []

    async def send(self, request: CommandRequest) -> Outcome:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer() if callable(answer) else answer


class WatchedIntake(CommandIntake):
    """The intake, keeping every message it handled (to see how each was settled)."""

    messages: list[RabbitMessage]

    async def handle(self, message: RabbitMessage) -> None:
        self.messages.append(message)
        await super().handle(message)


def build(
    mediator: ScriptedMediator, limits: MessageLimits = DEFAULT_LIMITS
) -> tuple[RabbitBroker, WatchedIntake, list[tuple[bytes, dict[str, object]]]]:
    """A broker with the intake subscribed, the intake, and the dead letters it will have published."""
    broker = RabbitBroker()
    intake = WatchedIntake(
        broker,
        mediator,  # type: ignore[arg-type]
        SENDERS,
        limits=limits,
        requeue_delay=0,
    )
    intake.messages = []
    register_intake(broker, intake)
    dead: list[tuple[bytes, dict[str, object]]] = []

    @broker.subscriber(RabbitQueue("dead-letters-under-test"), DEAD_LETTER_EXCHANGE_SPEC)
    async def dead_letter(message: RabbitMessage) -> None:
        dead.append((message.body, dict(message.headers)))

    return broker, intake, dead


async def publish(broker: TestRabbitBroker, body: str | bytes, **properties: object) -> None:
    """A RegisterHotel message from the mapped sender `partner`, unless `properties` say otherwise."""
    await broker.publish(
        body,
        exchange=COMMANDS_EXCHANGE_SPEC,
        routing_key="RegisterHotel",
        **{"user_id": "partner", **properties},  # type: ignore[arg-type]
    )
