"""The AMQP sender's errors before any broker answers (its replies: tests/integration/command)."""

from __future__ import annotations

import socket

import pytest

from innkeeper_client import AmqpCommandSender, InnkeeperError, NoAnswerError


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_an_unreachable_broker_is_no_answer() -> None:
    with pytest.raises(NoAnswerError, match="cannot reach the broker"):
        async with AmqpCommandSender(f"amqp://partner:secret@127.0.0.1:{closed_port()}/"):
            pass


async def test_sending_before_connecting_says_how_to_connect() -> None:
    with pytest.raises(InnkeeperError, match="async with"):
        await AmqpCommandSender("amqp://partner:secret@127.0.0.1/").send("BookStay", {})


def test_the_sender_is_the_user_of_the_url() -> None:
    assert AmqpCommandSender("amqp://partner%2Dportal:pw@broker/innkeeper").user_id == "partner-portal"
    assert AmqpCommandSender("amqp://broker/").user_id == "guest"
