"""Answers and retries: what ends a command, what asks again with the same key, and when it gives up."""

import asyncio

import pytest

from conformance import attempts
from conformance.attempts import Answer, Deadline, backoff, classify, until_answered
from conformance.commands import Command

PROBLEM = "https://innkeeper.dev/problems/"


def test_answers_are_told_apart_by_status_and_type() -> None:
    assert classify(202, {"status": "accepted"}).outcome == "accepted"
    assert classify(0, {"status": "accepted", "aggregate_id": "a"}).outcome == "accepted"  # an AMQP reply
    refused = classify(409, {"type": PROBLEM + "business-rule", "status": 409})
    assert (refused.outcome, refused.problem) == ("rejected", PROBLEM + "business-rule")
    assert classify(409, {"type": PROBLEM + "conflict"}).outcome == "collision"
    assert classify(503, {"type": PROBLEM + "unavailable"}, retry_after=2).retry_after == 2
    for status in (408, 500, 502, 503, 504):
        assert classify(status, None).outcome == "retry"
    assert classify(404, "not json").problem == "status 404"


def test_backoff_grows_to_its_cap_and_honours_retry_after() -> None:
    assert backoff(1, None) <= 0.1
    assert 1.0 <= backoff(10, None) <= 2.0
    assert backoff(1, 3) == 3
    assert backoff(1, 3600) == 10


class Scripted:
    """A client that answers from a script, and remembers the keys it was asked with."""

    name, transport = "http-0", "http"

    def __init__(self, *answers: Answer) -> None:
        self.answers, self.keys, self.forgotten = list(answers), list[str](), list[str]()

    async def attempt(self, command: Command, key: str, wait: float) -> Answer:
        self.keys.append(key)
        return self.answers.pop(0) if self.answers else Answer("retry", reason="no answer")

    def forget(self, key: str) -> None:
        self.forgotten.append(key)


COMMAND = Command("BookStay", {"hotel_id": "h"})


async def test_a_lost_answer_is_asked_for_again_with_the_same_key() -> None:
    client = Scripted(Answer("retry", 503, retry_after=0), Answer("accepted", 202, reply={"booking_id": "b"}))
    record = await until_answered(client, COMMAND, "key-1", Deadline(), lambda: 1.0, wait=1)
    assert (record.outcome, record.attempts, record.status) == ("accepted", 2, 202)
    assert client.keys == ["key-1", "key-1"]
    assert client.forgotten == ["key-1"]


async def test_a_command_never_answered_ends_unanswered_after_the_deadline() -> None:
    deadline = Deadline()
    deadline.start(0.3)
    record = await until_answered(Scripted(), COMMAND, "key-2", deadline, lambda: 1.0, wait=1)
    assert record.outcome == "unanswered"
    assert record.attempts > 1
    assert (record.answered_at, record.reply, record.problem) == (None, None, "no answer")


async def test_collisions_are_retried_then_recorded_as_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attempts, "BACKOFF_FIRST", 0.001)
    collision = Answer("collision", 409, PROBLEM + "conflict")
    client = Scripted(*[collision] * 20)
    record = await asyncio.wait_for(until_answered(client, COMMAND, "k", Deadline(), lambda: 0.0, 1), 60)
    assert (record.outcome, record.problem) == ("rejected", PROBLEM + "conflict")
    assert record.attempts == 8
