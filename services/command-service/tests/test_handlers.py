"""What each handler records, over in-memory ports: the events a mailer acts on carry all it needs."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from command_builders import book_stay, register_hotel
from command_fakes import FakeIdempotencyStore, FakeUnitOfWorkFactory, FixedClock, Store

from command_service.application.behaviours import IdempotencyBehaviour, UnitOfWorkBehaviour
from command_service.application.handlers import Handlers
from command_service.application.mediator import Mediator
from command_service.application.requests import CommandRequest, Outcome
from command_service.domain.refunds import CancellationPolicy
from innkeeper_contracts import (
    CancelBooking,
    CommandAccepted,
    CommandRejected,
    Contract,
    DomainEvent,
    GuestNotificationRequested,
    ManagementAlertRaised,
    ManagementContactSet,
    SetManagementContact,
    StayBooked,
)

CLOCK = FixedClock()


def mediator(store: Store) -> Mediator:
    behaviours = [
        IdempotencyBehaviour(FakeIdempotencyStore(store)),
        UnitOfWorkBehaviour(FakeUnitOfWorkFactory(store)),
    ]
    return Mediator(Handlers(CLOCK, CancellationPolicy()).by_command(), behaviours)


async def send(store: Store, command: Contract) -> Outcome:
    return await mediator(store).send(CommandRequest(command, "corr-1"))


def events_of(store: Store, aggregate_id: UUID) -> list[DomainEvent]:
    return [event for aggregate, _, event in store.events if aggregate == aggregate_id]


async def test_setting_the_management_contact_records_it_with_the_one_before() -> None:
    store, hotel = Store(), register_hotel()
    assert hotel.hotel_id is not None
    await send(store, hotel)
    first = await send(store, SetManagementContact(hotel_id=hotel.hotel_id, email="desk@inn.example"))
    second = await send(store, SetManagementContact(hotel_id=hotel.hotel_id, email="night@inn.example"))
    assert isinstance(first, CommandAccepted)
    assert isinstance(second, CommandAccepted)
    assert second.consistency_token.endswith(f".{hotel.hotel_id}.3")
    assert events_of(store, hotel.hotel_id)[1:] == [
        ManagementContactSet(hotel_id=hotel.hotel_id, email="desk@inn.example", previous_email=None),
        ManagementContactSet(
            hotel_id=hotel.hotel_id, email="night@inn.example", previous_email="desk@inn.example"
        ),
    ]


async def test_the_management_contact_of_an_unknown_hotel_is_not_found() -> None:
    store = Store()
    outcome = await send(store, SetManagementContact(hotel_id=uuid4(), email="desk@inn.example"))
    assert isinstance(outcome, CommandRejected)
    assert (outcome.status, outcome.type) == (404, "https://innkeeper.dev/problems/not-found")
    assert store.events == []


async def test_a_booking_answers_with_the_token_of_its_confirmation() -> None:
    store, hotel = Store(), register_hotel()
    assert hotel.hotel_id is not None
    await send(store, hotel)
    outcome = await send(store, book_stay(hotel.hotel_id, CLOCK.now().date() + timedelta(days=5)))
    assert isinstance(outcome, CommandAccepted)
    assert outcome.consistency_token.endswith(f".{outcome.aggregate_id}.2")
    booked, confirmation = events_of(store, outcome.aggregate_id)
    assert isinstance(booked, StayBooked)
    assert isinstance(confirmation, GuestNotificationRequested)
    assert (confirmation.template, confirmation.hotel_name) == ("booking_confirmed", "Inn")
    assert confirmation.guest_name is not None
    assert (store.opened(confirmation.guest_name), store.opened(confirmation.email)) == (
        "Ann",
        "ann@example.com",
    )


async def test_a_cancellation_alerts_the_contact_set_after_the_booking() -> None:
    store, hotel = Store(), register_hotel()
    assert hotel.hotel_id is not None
    await send(store, hotel)
    check_in = CLOCK.now().date() + timedelta(days=1)  # notice under 48 h: a late cancellation
    booked = await send(store, book_stay(hotel.hotel_id, check_in))
    assert isinstance(booked, CommandAccepted)
    await send(store, SetManagementContact(hotel_id=hotel.hotel_id, email="desk@inn.example"))
    cancelled = await send(store, CancelBooking(booking_id=booked.aggregate_id, reason="ill"))
    assert isinstance(cancelled, CommandAccepted)
    *_, mail, alert = events_of(store, booked.aggregate_id)
    assert isinstance(mail, GuestNotificationRequested)
    assert isinstance(alert, ManagementAlertRaised)
    assert (mail.template, mail.refund_policy, mail.hotel_name) == ("booking_cancelled", "none", "Inn")
    assert (alert.management_email, alert.hotel_name, alert.check_in) == ("desk@inn.example", "Inn", check_in)
