"""The mediator and its behaviours, over in-memory ports."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from command_builders import book_stay, register_hotel
from command_fakes import FakeIdempotencyStore, FakeUnitOfWorkFactory, FixedClock, Store

from command_service.application.behaviours import (
    IdempotencyBehaviour,
    UnitOfWorkBehaviour,
    ValidationBehaviour,
)
from command_service.application.handlers import Handlers
from command_service.application.mediator import Behaviour, Mediator, Next
from command_service.application.requests import CommandRequest, Outcome
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import CancelBooking, CommandAccepted, CommandRejected, RegisterHotel
from innkeeper_kit.auth import Principal


def make_mediator(store: Store, clock: FixedClock, extra: list[Behaviour] | None = None) -> Mediator:
    handlers = Handlers(clock, CancellationPolicy())
    behaviours: list[Behaviour] = [
        *(extra or []),
        IdempotencyBehaviour(FakeIdempotencyStore(store)),
        ValidationBehaviour(handlers.checks_by_command()),
        UnitOfWorkBehaviour(FakeUnitOfWorkFactory(store)),
    ]
    return Mediator(handlers.by_command(), behaviours)


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


async def send(
    mediator: Mediator, command: object, key: str | None = None, principal: Principal | None = None
) -> Outcome:
    request = CommandRequest(command, "corr-1", idempotency_key=key, principal=principal)  # type: ignore[arg-type]
    return await mediator.send(request)


async def test_behaviours_wrap_the_handler_outermost_first(store: Store, clock: FixedClock) -> None:
    calls: list[str] = []

    class Recording:
        def __init__(self, name: str) -> None:
            self.name = name

        async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
            calls.append(f"{self.name} in")
            outcome = await call_next()
            calls.append(f"{self.name} out")
            return outcome

    mediator = make_mediator(store, clock, [Recording("outer"), Recording("inner")])
    outcome = await send(mediator, register_hotel())
    assert isinstance(outcome, CommandAccepted)
    assert calls == ["outer in", "inner in", "inner out", "outer out"]


async def test_accepted_answer_carries_aggregate_and_token(store: Store, clock: FixedClock) -> None:
    command = register_hotel()
    outcome = await send(make_mediator(store, clock), command)
    assert isinstance(outcome, CommandAccepted)
    assert outcome.aggregate_id == command.hotel_id
    assert outcome.consistency_token == f"1.{command.hotel_id}.1"
    assert outcome.correlation_id == "corr-1"


async def test_check_in_in_the_past_is_refused_on_its_field(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    hotel = register_hotel()
    await send(mediator, hotel)
    outcome = await send(mediator, book_stay(hotel.hotel_id, clock.now().date() - timedelta(days=1)))  # type: ignore[arg-type]
    assert isinstance(outcome, CommandRejected)
    assert (outcome.status, outcome.type) == (422, "https://innkeeper.dev/problems/invalid-input")
    assert outcome.errors[0].loc == ["body", "check_in"]


async def test_domain_errors_become_rejections_without_events(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    outcome = await send(mediator, CancelBooking(booking_id=uuid4(), reason="x"))
    assert isinstance(outcome, CommandRejected)
    assert (outcome.status, outcome.type) == (404, "https://innkeeper.dev/problems/not-found")
    assert store.events == []


async def test_no_overbooking_and_capacity_guard(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    hotel = register_hotel(capacity=1)
    await send(mediator, hotel)
    stay = book_stay(hotel.hotel_id, clock.now().date() + timedelta(days=5))  # type: ignore[arg-type]
    assert isinstance(await send(mediator, stay), CommandAccepted)
    second = await send(mediator, stay)
    assert isinstance(second, CommandRejected)
    assert second.status == 409


async def test_retry_with_same_key_gets_the_first_answer_once(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    command = RegisterHotel.model_validate(register_hotel().model_dump() | {"hotel_id": None})
    first = await send(mediator, command, key="key-1")
    again = await send(mediator, command, key="key-1")
    assert first == again
    assert len(store.events) == 1


async def test_same_key_with_another_payload_is_refused(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    await send(mediator, register_hotel(), key="key-1")
    outcome = await send(mediator, register_hotel(), key="key-1")
    assert isinstance(outcome, CommandRejected)
    assert (outcome.status, outcome.type) == (422, "https://innkeeper.dev/problems/idempotency-key-reused")


async def test_the_same_key_from_two_callers_is_two_commands(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    command = RegisterHotel.model_validate(register_hotel().model_dump() | {"hotel_id": None})
    first = await send(mediator, command, key="key-1", principal=Principal("a", "admin", issuer="i"))
    other = await send(mediator, command, key="key-1", principal=Principal("b", "admin", issuer="i"))
    assert isinstance(first, CommandAccepted)
    assert isinstance(other, CommandAccepted)
    assert first.aggregate_id != other.aggregate_id
    assert len(store.events) == 2


async def test_rejections_are_remembered_under_the_key(store: Store, clock: FixedClock) -> None:
    mediator = make_mediator(store, clock)
    command = CancelBooking(booking_id=uuid4(), reason="x")
    first = await send(mediator, command, key="key-2")
    assert isinstance(first, CommandRejected)
    assert await send(mediator, command, key="key-2") == first
