"""The `query.answered` line: its level says whether an operator needs to see the answer."""

from __future__ import annotations

import pytest
import structlog
from structlog.testing import capture_logs

from query_service.api.middleware import log_answer

SLOW = 0.5


@pytest.mark.parametrize(
    ("status", "seconds", "level"),
    [
        (200, 0.01, "debug"),
        (304, 0.01, "debug"),
        (404, 0.01, "info"),
        (422, 0.01, "info"),
        (500, 0.01, "warning"),
        (503, 0.01, "warning"),
        (200, SLOW, "warning"),
        (404, 2.0, "warning"),
    ],
)
def test_the_level_follows_status_and_latency(status: int, seconds: float, level: str) -> None:
    with capture_logs() as lines:
        log_answer(structlog.get_logger(), "/hotels/{hotel_id}", status, seconds, SLOW)
    [line] = lines
    assert line["event"] == "query.answered"
    assert line["log_level"] == level
    assert (line["route"], line["status"], line["ms"]) == ("/hotels/{hotel_id}", status, seconds * 1000)
    assert line.get("slow", False) is (seconds >= SLOW)
