"""The AMQP intake counts each command message it refuses before the mediator, once, in
`innkeeper_commands_total{command,outcome}` (the mediator's LoggingBehaviour counts the others)."""

from __future__ import annotations

from amqp_fakes import ACCEPTED, ScriptedMediator, WatchedIntake, build, publish
from faststream.rabbit import TestRabbitBroker


def answered(intake: WatchedIntake) -> dict[tuple[str, str], float]:
    """Every non-zero sample of innkeeper_commands_total, by (command, outcome)."""
    registry = intake._metrics.registry
    return {
        (sample.labels["command"], sample.labels["outcome"]): sample.value
        for family in registry.collect()
        for sample in family.samples
        if sample.name == "innkeeper_commands_total" and sample.value
    }


async def test_refusals_before_the_mediator_count_once_by_problem_kind() -> None:
    mediator = ScriptedMediator(ACCEPTED)
    broker, intake, dead = build(mediator)
    async with TestRabbitBroker(broker) as test_broker:
        await publish(test_broker, b"{not json")  # malformed: dead-lettered
        await publish(test_broker, b'{"name": "Inn"}')  # invalid: dead-lettered
        await publish(test_broker, b"{}", user_id="stranger")  # no sender we know: refused unread
    assert mediator.requests == []
    assert len(dead) == 2  # the stranger's message is answered and acked, unread
    assert answered(intake) == {
        ("RegisterHotel", "malformed-body"): 1,
        ("RegisterHotel", "invalid-input"): 1,
        ("RegisterHotel", "forbidden"): 1,
    }
