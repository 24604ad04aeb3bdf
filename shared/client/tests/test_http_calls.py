"""The HTTP client against httpx.MockTransport: idempotency keys, retries, read-your-writes, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from innkeeper_client import (
    CommandRejectedError,
    ConflictError,
    InnkeeperClient,
    InvalidRequestError,
    NoAnswerError,
    NotFoundError,
    RetryPolicy,
    ServerError,
    UnavailableError,
)
from innkeeper_contracts import BookStay, CancelBooking, CommandAccepted, CommandRejected

BOOKING_ID, HOTEL_ID = uuid4(), uuid4()
TOKEN = f"7.{BOOKING_ID}.1"
ACCEPTED = {
    "status": "accepted",
    "command": "BookStay",
    "aggregate_id": str(BOOKING_ID),
    "consistency_token": TOKEN,
    "correlation_id": "c1",
}
FAST = RetryPolicy(attempts=3, backoff=0.0, max_delay=0.0)
Handler = Callable[[httpx.Request], httpx.Response]


def problem(status: int, kind: str, **extra: Any) -> httpx.Response:
    body = {"status": status, "type": f"https://innkeeper.dev/problems/{kind}", "title": kind}
    return httpx.Response(status, json={**body, "detail": f"{kind} happened", **extra})


class Recorder:
    """Answers each request with the next of `answers` (the last one repeats), and keeps the requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers, self.requests = list(answers), list[httpx.Request]()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def header(self, name: str) -> list[str | None]:
        return [request.headers.get(name) for request in self.requests]


def client(handler: Handler, retry: RetryPolicy = FAST) -> InnkeeperClient:
    transport = httpx.MockTransport(handler)
    return InnkeeperClient("http://innkeeper.test", token="t0k3n", retry=retry, transport=transport)


def stay() -> BookStay:
    check_in = date.today() + timedelta(days=10)
    return BookStay.model_validate(
        {
            "hotel_id": str(HOTEL_ID),
            "room_type": "DBL",
            "guest": {"guest_id": "ann", "name": "Ann", "email": "ann@example.com"},
            "check_in": check_in.isoformat(),
            "check_out": (check_in + timedelta(days=2)).isoformat(),
            "guests": 2,
        }
    )


async def test_a_command_is_posted_with_a_fresh_key_a_token_and_a_correlation_id() -> None:
    recorder = Recorder(httpx.Response(202, json=ACCEPTED))
    async with client(recorder) as innkeeper:
        accepted = await innkeeper.book_stay(stay())
    assert accepted == CommandAccepted.model_validate(ACCEPTED)
    [request] = recorder.requests
    assert (request.method, request.url.path) == ("POST", "/bookings")
    assert request.headers["Authorization"] == "Bearer t0k3n"
    assert len(request.headers["Idempotency-Key"]) == 32
    assert request.headers["X-Correlation-Id"]
    assert "booking_id" not in httpx.Response(200, content=request.content).json()  # the server chooses


async def test_a_503_is_retried_with_the_same_key_until_accepted() -> None:
    busy = problem(503, "unavailable")
    recorder = Recorder(busy, httpx.ConnectError("refused"), httpx.Response(202, json=ACCEPTED))
    async with client(recorder) as innkeeper:
        await innkeeper.book_stay(stay(), idempotency_key="order-42")
    assert recorder.header("Idempotency-Key") == ["order-42"] * 3
    assert len(set(recorder.header("X-Correlation-Id"))) == 1


async def test_a_503_that_stays_is_an_unavailable_rejection_after_the_attempts() -> None:
    recorder = Recorder(problem(503, "unavailable", command="BookStay"))
    async with client(recorder) as innkeeper:
        with pytest.raises(UnavailableError) as raised:
            await innkeeper.book_stay(stay())
    assert len(recorder.requests) == 3
    assert isinstance(raised.value, CommandRejectedError)
    assert isinstance(raised.value.problem, CommandRejected)


async def test_no_answer_at_all_is_no_answer_error() -> None:
    recorder = Recorder(httpx.ReadTimeout("slow"))
    async with client(recorder) as innkeeper:
        with pytest.raises(NoAnswerError):
            await innkeeper.get_hotel(HOTEL_ID)
    assert len(recorder.requests) == 3


async def test_a_business_rule_is_a_conflict_and_a_rejection_not_retried() -> None:
    recorder = Recorder(problem(409, "business-rule", command="CancelBooking", correlation_id="c9"))
    async with client(recorder) as innkeeper:
        with pytest.raises(ConflictError) as raised:
            await innkeeper.cancel_booking(CancelBooking(booking_id=BOOKING_ID, reason="plans changed"))
    assert isinstance(raised.value, CommandRejectedError)
    assert raised.value.problem is not None
    assert (raised.value.problem.kind, raised.value.problem.correlation_id) == ("business-rule", "c9")
    assert recorder.requests[0].url.path == f"/bookings/{BOOKING_ID}/cancel"
    assert len(recorder.requests) == 1


async def test_field_errors_of_an_invalid_command_are_kept() -> None:
    errors = [{"loc": ["body", "guests"], "msg": "too many", "type": "less_than_equal"}]
    recorder = Recorder(problem(422, "invalid-input", errors=errors))
    async with client(recorder) as innkeeper:
        with pytest.raises(InvalidRequestError) as raised:
            await innkeeper.send("BookStay", {"guests": 99})
    assert raised.value.problem is not None
    assert [error.loc for error in raised.value.problem.errors] == [["body", "guests"]]
    assert raised.value.status == 422


async def test_a_missing_document_is_not_found_and_no_rejection() -> None:
    async with client(Recorder(problem(404, "not-found"))) as innkeeper:
        with pytest.raises(NotFoundError) as raised:
            await innkeeper.get_booking(BOOKING_ID)
    assert not isinstance(raised.value, CommandRejectedError)


async def test_an_answer_that_is_no_problem_document_still_raises_with_its_status() -> None:
    async with client(Recorder(httpx.Response(502, text="<html>bad gateway</html>"))) as innkeeper:
        with pytest.raises(ServerError) as raised:
            await innkeeper.get_hotel(HOTEL_ID)
    assert raised.value.status == 502


async def test_a_read_after_a_write_sends_its_token_and_asks_again_while_stale() -> None:
    stale = httpx.Response(404, headers={"X-Consistency": "stale"}, json={})
    recorder = Recorder(stale, httpx.Response(200, json={"items": [], "next_cursor": None}))
    async with client(recorder) as innkeeper:
        page = await innkeeper.search_hotels(city="Bergen", after=CommandAccepted.model_validate(ACCEPTED))
    assert page.items == []
    assert recorder.header("X-Consistency-Token") == [TOKEN, TOKEN]
    assert recorder.requests[0].url.params["city"] == "Bergen"
    assert "check_in" not in recorder.requests[0].url.params


def test_retry_after_is_honoured_within_the_cap() -> None:
    policy = RetryPolicy(backoff=0.1, max_delay=2.0)
    assert policy.delay(0, httpx.Response(503, headers={"Retry-After": "1"})) == 1.0
    assert policy.delay(0, httpx.Response(503, headers={"Retry-After": "120"})) == 2.0
    assert policy.delay(2, None) == pytest.approx(0.4)


def test_either_one_front_door_or_both_urls() -> None:
    with pytest.raises(ValueError, match="base_url"):
        InnkeeperClient(command_url="http://127.0.0.1:8001")
