"""The integrators' AMQP command sender against the real intake and RabbitMQ: an accepted reply, rejected
replies as the client's errors, a timeout that loses nothing, and a resend that gives the first answer."""

from __future__ import annotations

from uuid import uuid4

import pytest
from command_support import booking_body, command_client, fetchval, hotel_body, wait_for_intake

from innkeeper_client import (
    AmqpCommandSender,
    CommandRejectedError,
    ConflictError,
    InvalidRequestError,
    NoAnswerError,
    NotFoundError,
)
from innkeeper_contracts import CancelBooking, ConsistencyToken, RegisterHotel


async def test_a_command_is_accepted_and_a_resend_gets_the_first_answer(command_env: dict[str, str]) -> None:
    async with command_client(command_env) as http, AmqpCommandSender(command_env["RABBITMQ_URL"]) as sender:
        await wait_for_intake(http)
        command = RegisterHotel.model_validate(hotel_body())
        first = await sender.register_hotel(command, idempotency_key="hotel-once", correlation_id="corr-1")
        again = await sender.register_hotel(command, idempotency_key="hotel-once")
    assert (first.command, first.aggregate_id) == ("RegisterHotel", command.hotel_id)
    assert first.correlation_id == "corr-1"
    assert ConsistencyToken.decode(first.consistency_token).aggregate_id == command.hotel_id
    assert (again.aggregate_id, again.consistency_token) == (first.aggregate_id, first.consistency_token)
    sql = "SELECT count(*) FROM events WHERE event_type = 'HotelRegistered'"
    assert await fetchval(command_env["POSTGRES_DSN"], sql) == 1


async def test_rejections_come_back_as_the_errors_of_their_kind(command_env: dict[str, str]) -> None:
    url = command_env["RABBITMQ_URL"]
    async with command_client(command_env) as http, AmqpCommandSender(url) as sender:
        await wait_for_intake(http)
        with pytest.raises(NotFoundError) as unknown:
            await sender.cancel_booking(CancelBooking(booking_id=uuid4(), reason="never booked"))
        hotel = hotel_body(capacity=1)
        await sender.send("RegisterHotel", hotel)
        await sender.send("BookStay", booking_body(hotel["hotel_id"]))
        with pytest.raises(ConflictError) as full:
            await sender.send("BookStay", booking_body(hotel["hotel_id"]))
        with pytest.raises(InvalidRequestError) as invalid:
            await sender.send("BookStay", booking_body(hotel["hotel_id"], guests=0))
    for raised in (unknown, full, invalid):
        assert isinstance(raised.value, CommandRejectedError)
        assert raised.value.problem.command in ("CancelBooking", "BookStay")
    assert invalid.value.problem.status == 422
    assert [error.loc[-1] for error in invalid.value.problem.errors] == ["guests"]


async def test_no_reply_in_time_loses_nothing_and_the_resend_learns_the_outcome(
    command_env: dict[str, str],
) -> None:
    url, command = command_env["RABBITMQ_URL"], RegisterHotel.model_validate(hotel_body())
    async with command_client(command_env) as http:
        await wait_for_intake(http)  # the intake's queue exists; then the service stops
    async with AmqpCommandSender(url, timeout=1.0) as sender:
        with pytest.raises(NoAnswerError, match="same idempotency key"):
            await sender.register_hotel(command, idempotency_key="while-down")
        async with command_client(command_env) as http:
            await wait_for_intake(http)
            answer = await sender.register_hotel(command, idempotency_key="while-down")
    assert answer.aggregate_id == command.hotel_id
    sql = "SELECT count(*) FROM events WHERE event_type = 'HotelRegistered'"
    assert await fetchval(command_env["POSTGRES_DSN"], sql) == 1
