"""Only final answers are remembered under an idempotency key: a collision's 409 asks for a retry, and the
retry under the same key is carried out (a business rule's 409 is final: test_mediator)."""

from __future__ import annotations

from dataclasses import dataclass, field

from command_builders import register_hotel
from command_fakes import FakeIdempotencyStore, FakeUnitOfWork, FakeUnitOfWorkFactory, FixedClock, Store

from command_service.application.behaviours import IdempotencyBehaviour, UnitOfWorkBehaviour
from command_service.application.handlers import Handlers
from command_service.application.mediator import Mediator
from command_service.application.ports import RetryableConflictError
from command_service.application.requests import CommandRequest
from command_service.domain.errors import VersionConflictError
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import CommandAccepted, CommandRejected


@dataclass
class CollidingFactory:
    """Units of work whose first `collisions` fail as PostgreSQL's deadlocks and serialization
    failures do; the rest work."""

    store: Store
    collisions: int
    error: Exception = field(default_factory=lambda: RetryableConflictError("deadlock detected"))

    def __call__(self, request: CommandRequest) -> FakeUnitOfWork:
        if self.collisions > 0:
            self.collisions -= 1
            raise self.error
        return FakeUnitOfWorkFactory(self.store)(request)


def mediator_over(store: Store, factory: CollidingFactory) -> Mediator:
    behaviours = [IdempotencyBehaviour(FakeIdempotencyStore(store)), UnitOfWorkBehaviour(factory)]
    return Mediator(Handlers(FixedClock(), CancellationPolicy()).by_command(), behaviours)


async def test_a_collision_after_every_attempt_is_answered_but_not_remembered() -> None:
    store = Store()
    mediator = mediator_over(store, CollidingFactory(store, collisions=3))
    command = register_hotel()
    first = await mediator.send(CommandRequest(command, "c-1", idempotency_key="key-1"))
    assert isinstance(first, CommandRejected)
    assert (first.status, first.type) == (409, "https://innkeeper.dev/problems/conflict")
    assert store.answers == {}
    retried = await mediator.send(CommandRequest(command, "c-2", idempotency_key="key-1"))
    assert isinstance(retried, CommandAccepted), "the retry the answer asked for is carried out"
    again = await mediator.send(CommandRequest(command, "c-3", idempotency_key="key-1"))
    assert again == retried, "and from then on, its answer is the one remembered"
    assert len(store.events) == 1


async def test_a_version_conflict_is_not_remembered_either() -> None:
    store = Store()
    stale = VersionConflictError("hotel changed since it was read; retry")
    mediator = mediator_over(store, CollidingFactory(store, collisions=1, error=stale))
    command = register_hotel()
    first = await mediator.send(CommandRequest(command, "c-1", idempotency_key="key-1"))
    assert isinstance(first, CommandRejected)
    assert (first.status, first.type) == (409, "https://innkeeper.dev/problems/conflict")
    retried = await mediator.send(CommandRequest(command, "c-2", idempotency_key="key-1"))
    assert isinstance(retried, CommandAccepted)
