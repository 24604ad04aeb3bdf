"""What the HTTP edge of each service, as a real process, answers alike: 413 over the body limit (declared
or counted), 405 with `Allow`, the one format of correlation ids and idempotency keys, `Retry-After`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import asyncpg
from query.seed import ReadModelSeed
from testkit.infra import free_port
from testkit.services import ServiceProcess

from fuzz.edge_client import connection_of, http
from innkeeper_kit.identifiers import acceptable_id

LIMIT = 64 * 1024  # MAX_REQUEST_BODY_BYTES by default
HOTEL = {"name": "Harbour Inn", "city": "Bergen", "stars": 4, "room_types": []}


async def chunks(total: int, size: int = 8192) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield b" " * min(size, total - start)


async def rows(dsn: str, table: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))
    finally:
        await connection.close()


async def test_a_body_over_the_limit_is_a_413_problem_whether_declared_or_chunked(
    command_service: ServiceProcess, postgres_dsn: str
) -> None:
    async with http(command_service) as client:
        declared = await client.post("/hotels", content=b" " * (LIMIT + 1))
        chunked = await client.post("/hotels", content=chunks(4 * LIMIT))
        kept = connection_of(chunked)
        after = await client.post("/hotels", json={**HOTEL, "hotel_id": str(uuid4())})
        assert connection_of(after) == kept
    for answer in (declared, chunked):
        assert answer.status_code == 413, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert (answer.json()["type"], answer.json()["correlation_id"]) == (
            "https://innkeeper.dev/problems/too-large",
            answer.headers["x-correlation-id"],
        )
    assert "content-length" not in chunked.request.headers
    assert after.status_code == 422, after.text  # read whole and judged: no room types
    assert await rows(postgres_dsn, "events") == 0


async def test_a_method_a_path_does_not_have_is_a_405_naming_those_it_has(
    command_service: ServiceProcess, query_service: ServiceProcess, read_model: ReadModelSeed
) -> None:
    async with http(command_service) as commands, http(query_service) as queries:
        answers = {
            "POST": await commands.put("/hotels", json=HOTEL),
            "GET": await queries.post("/hotels", json={}),
        }
    for allowed, answer in answers.items():
        assert answer.status_code == 405, answer.text
        assert answer.headers["allow"] == allowed
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["type"] == "https://innkeeper.dev/problems/method-not-allowed"


async def test_an_idempotency_key_out_of_format_is_a_422_naming_the_header(
    command_service: ServiceProcess, postgres_dsn: str
) -> None:
    async with http(command_service) as client:
        answers = {
            key: await client.post(
                "/hotels",
                json={**HOTEL, "hotel_id": str(uuid4()), "room_types": [ROOM]},
                headers={b"Idempotency-Key": key.encode("latin-1")},
            )
            for key in ("", "with space", "x" * 129, "caf\u00e9", "<script>", "a/b", "tab\tkey")
        }
    for key, answer in answers.items():
        assert answer.status_code == 422, (key, answer.text)
        assert [error["loc"] for error in answer.json()["errors"]] == [["header", "Idempotency-Key"]]
    assert await rows(postgres_dsn, "events") == 0


async def test_a_correlation_id_out_of_format_is_replaced_and_a_good_one_kept(
    command_service: ServiceProcess, query_service: ServiceProcess, read_model: ReadModelSeed
) -> None:
    for process in (command_service, query_service):
        async with http(process) as client:
            kept = await client.get("/healthz", headers={"X-Correlation-Id": "trace:17.a-b_c"})
            replaced = await client.get("/healthz", headers={"X-Correlation-Id": "x\ty <b>" + "z" * 200})
        assert kept.headers["x-correlation-id"] == "trace:17.a-b_c"
        assert replaced.status_code == 200
        assert acceptable_id(replaced.headers["x-correlation-id"])
        assert "<b>" not in replaced.headers["x-correlation-id"]


async def test_every_503_says_when_to_retry_and_the_outage_is_one_log_line(
    service_env: dict[str, str], log_dir: Path
) -> None:
    nowhere = f"127.0.0.1:{free_port()}"
    command_env = {**service_env, "POSTGRES_DSN": f"postgresql://postgres@{nowhere}/none"}
    query_env = {**service_env, "MONGODB_URL": f"mongodb://{nowhere}/", "MONGODB_TIMEOUT_MS": "200"}
    with (
        ServiceProcess("command_service", command_env, free_port(), log_dir) as command,
        ServiceProcess("query_service", query_env, free_port(), log_dir) as query,
    ):
        async with http(command) as commands, http(query) as queries:
            answers = [
                await commands.post("/hotels", json={**HOTEL, "room_types": [ROOM]}),
                await commands.get("/readyz"),
                await queries.get("/hotels"),
                await queries.get("/readyz"),
            ]
            for _ in range(20):  # clients retrying: each is answered, only the first is logged
                answers.append(await commands.post("/hotels", json={**HOTEL, "room_types": [ROOM]}))
                answers.append(await queries.get("/hotels"))
        command_lines, query_lines = command.logs(), query.logs()
    for answer in answers:
        assert answer.status_code == 503, (answer.request.url, answer.text)
        assert answer.headers["retry-after"] == "1", answer.request.url
    # Never migrated, the command service answers before its pipeline, whose line is throttled too
    # (test_logging_behaviour).
    assert command_lines.count('"command.unavailable"') <= 1, command_lines
    # One line per 10 s of outage, not one per 503 (22 reads here, ~0.5 s each).
    unreachable_lines = query_lines.count('"read model unavailable"')
    assert 1 <= unreachable_lines <= 4, query_lines


ROOM = {
    "code": "DBL",
    "name": "Double",
    "capacity": 2,
    "max_guests": 2,
    "nightly_rate": {"amount": "100.00", "currency": "EUR"},
}
