"""The preflight's rules without servers: the line's shape, the order, what a service rides out, the
exit, and that nothing else reaches stderr meanwhile."""

from __future__ import annotations

import argparse
import logging
import socket

import pytest

from innkeeper_kit.entry import serve_or_run_tool
from innkeeper_kit.preflight import EXIT_CODE, Check, Finding, check_or_exit, first_missing, rides_out
from innkeeper_kit.preflight.ports import port_free
from innkeeper_kit.preflight.where import host_port, path_name, user_of
from innkeeper_kit.settings import ServiceSettings

DOWN = Finding("PostgreSQL is not reachable at db:5432", "start it", unreachable=True)
REFUSED = Finding("RabbitMQ at mq:5672 refused user guest", "check RABBITMQ_URL")


def returning(finding: Finding | None, ran: list[str] | None = None, name: str = "") -> Check:
    async def check() -> Finding | None:
        if ran is not None:
            ran.append(name)
        return finding

    return check


def test_the_line_says_what_is_missing_then_the_fix() -> None:
    assert REFUSED.line == "RabbitMQ at mq:5672 refused user guest — check RABBITMQ_URL"


async def test_the_first_finding_wins_and_the_rest_do_not_run() -> None:
    ran: list[str] = []
    checks = [returning(None, ran, "a"), returning(REFUSED, ran, "b"), returning(DOWN, ran, "c")]
    assert await first_missing(checks) == REFUSED
    assert ran == ["a", "b"]


async def test_a_service_rides_out_a_server_not_reachable_yet_but_not_a_refusal() -> None:
    assert await rides_out(returning(DOWN))() is None
    assert await rides_out(returning(REFUSED))() == REFUSED


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_nothing_the_drivers_log_gets_out_while_checking() -> None:
    driver, kept = logging.getLogger("aiormq.connection"), Kept()
    driver.addHandler(kept)

    async def noisy() -> Finding | None:
        try:
            raise ConnectionError("closed by the broker")
        except ConnectionError:
            driver.exception("Unexpected connection close")
        return REFUSED

    try:
        assert await first_missing([noisy]) == REFUSED
        assert kept.records == []
        driver.error("after the checks")
        assert [record.getMessage() for record in kept.records] == ["after the checks"]
    finally:
        driver.removeHandler(kept)


def test_check_or_exit_prints_one_line_and_exits_4(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        check_or_exit("projector", [returning(None), returning(REFUSED)])
    assert stopped.value.code == EXIT_CODE == 4
    assert capsys.readouterr().err == f"projector: {REFUSED.line}\n"
    check_or_exit("projector", [returning(None)])  # all there: returns


async def test_a_held_port_is_named_with_how_to_free_it() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        finding = await port_free(port, "QUERY_PORT")()
    assert finding is not None
    assert finding.missing.startswith(f"port {port} is in use")
    assert finding.fix == f"stop what holds it (ss -ltnp 'sport = :{port}') or set QUERY_PORT to another port"
    assert await port_free(port)() is None  # released


def test_a_line_names_the_server_never_its_password() -> None:
    url = "amqp://svc:s3cret@broker.internal:5673/inn%2Fkeeper"
    assert (host_port(url, 5672), user_of(url, "guest"), path_name(url, "/")) == (
        "broker.internal:5673",
        "svc",
        "inn/keeper",
    )
    assert host_port("postgresql://db/test", 5432) == "db:5432"
    assert path_name("amqp://localhost", "/") == "/"


def test_a_tool_or_the_server_does_not_start_when_a_prerequisite_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    steps: list[str] = []

    async def tool(settings: ServiceSettings, arguments: argparse.Namespace) -> int:
        raise AssertionError("not reached")

    def prerequisites(settings: ServiceSettings, command: str) -> list[Check]:
        steps.append(f"checks for {command}")
        return [returning(DOWN)]

    with pytest.raises(SystemExit) as stopped:
        serve_or_run_tool(
            argparse.Namespace(command="verify"),
            ServiceSettings,
            lambda _: steps.append("logging"),
            lambda _: pytest.fail("no app"),
            tool,
            service="projector",
            prerequisites=prerequisites,
        )
    assert stopped.value.code == EXIT_CODE
    assert steps == ["checks for verify"]  # before the logging: the line is the only output
    assert capsys.readouterr().err == f"projector: {DOWN.line}\n"
