"""The logging behaviour: correlation and causation ids on every line, outcomes counted by reason."""

from __future__ import annotations

from uuid import uuid4

import pytest
import structlog
from command_builders import register_hotel
from command_fakes import FakeIdempotencyStore, FakeUnitOfWorkFactory, FixedClock, Store

from command_service.application.behaviours import (
    IdempotencyBehaviour,
    LoggingBehaviour,
    UnitOfWorkBehaviour,
)
from command_service.application.handlers import Handlers
from command_service.application.mediator import Behaviour, Mediator
from command_service.application.ports import ServiceUnavailableError
from command_service.application.requests import CommandRequest
from command_service.domain.refunds import CancellationPolicy
from command_service.metrics import Metrics
from innkeeper_contracts import CancelBooking


def counted(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_lines_carry_correlation_and_causation_ids_and_outcomes_are_counted_by_reason() -> None:
    store, clock, metrics = Store(), FixedClock(), Metrics()
    behaviours: list[Behaviour] = [
        LoggingBehaviour(metrics),
        IdempotencyBehaviour(FakeIdempotencyStore(store)),
        UnitOfWorkBehaviour(FakeUnitOfWorkFactory(store)),
    ]
    mediator = Mediator(Handlers(clock, CancellationPolicy()).by_command(), behaviours)
    command = register_hotel()
    accepted = {"command": "RegisterHotel", "outcome": "accepted"}
    not_found = {"command": "CancelBooking", "outcome": "not-found"}
    accepted_before = counted(metrics, "innkeeper_commands_total", **accepted)
    rejected_before = counted(metrics, "innkeeper_commands_total", **not_found)
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
        await mediator.send(CommandRequest(command, "corr-7", idempotency_key="key-1"))
        unknown = CancelBooking(booking_id=uuid4(), reason="plans changed")
        await mediator.send(CommandRequest(unknown, "corr-8"))  # no such booking
    assert [(line["event"], line["correlation_id"]) for line in lines] == [
        ("command.accepted", "corr-7"),
        ("command.rejected", "corr-8"),
    ]
    assert lines[0]["causation_id"] == "key-1"  # the command id is the idempotency key when given
    assert lines[1]["reason"] == "not-found"
    assert counted(metrics, "innkeeper_commands_total", **accepted) == accepted_before + 1
    assert counted(metrics, "innkeeper_commands_total", **not_found) == rejected_before + 1
    # once per command: no other outcome of either was counted
    assert sum(
        sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "innkeeper_commands_total"
    ) == (accepted_before + 1) + (rejected_before + 1)


async def test_while_the_database_is_away_one_line_says_so_and_every_503_is_counted() -> None:
    metrics = Metrics()

    class Away:
        async def __call__(self, request: CommandRequest, call_next: object) -> None:
            raise ServiceUnavailableError("PostgreSQL is away")

    mediator = Mediator(
        Handlers(FixedClock(), CancellationPolicy()).by_command(), [LoggingBehaviour(metrics), Away()]
    )
    with structlog.testing.capture_logs() as lines:
        for attempt in range(200):
            with pytest.raises(ServiceUnavailableError):
                await mediator.send(CommandRequest(register_hotel(), f"corr-{attempt}"))
    assert [(line["event"], line["similar_lines_held_back"]) for line in lines] == [
        ("command.unavailable", 0)
    ]
    unavailable = {"command": "RegisterHotel", "outcome": "unavailable"}
    assert counted(metrics, "innkeeper_commands_total", **unavailable) == 200
