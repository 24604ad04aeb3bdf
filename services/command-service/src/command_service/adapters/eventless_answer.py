"""The end of the final statement for a command that recorded no event (erasing the data of a guest who
has no booking: their key goes, nothing is logged): its answer remembered under its idempotency key, with
the token of the log's last event, instead of `event_log.EventAppend`.

Why that token: a consistency token must name an event the read model will apply (the query service
waits for its aggregate's checkpoint); the last one logged is the nearest to "everything before this
command". On an empty log there is none: the token then names position 1 of no aggregate, which a read
waits for until its bound (nothing was ever projected to read either)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
import orjson

from command_service.adapters.write_fragment import Parameters, WriteFragment
from command_service.application.ports import Committed
from command_service.application.requests import CommandRequest

_ANSWERED = """head AS MATERIALIZED (
    SELECT global_position, aggregate_id, aggregate_version FROM events
    WHERE {after} ORDER BY global_position DESC LIMIT 1
), last_event AS MATERIALIZED (
    SELECT coalesce(h.global_position, 1) AS position, coalesce(h.aggregate_id, {nil}) AS aggregate_id,
           coalesce(h.aggregate_version, 1) AS version
    FROM (SELECT 1) AS one LEFT JOIN head AS h ON true WHERE {after}
), remembered AS (
    INSERT INTO idempotency_keys (principal, key, command, request_hash, status_code, response_body)
    SELECT {scope}, {key}, {command}, {request_hash}, 202,
           {answer} || jsonb_build_object('consistency_token',
                                          concat_ws('.', position, aggregate_id, version))
    FROM last_event WHERE {key} IS NOT NULL
    RETURNING 1
)"""


@dataclass(frozen=True)
class EventlessAnswer(WriteFragment):
    """A command's answer with no event appended: the last part of its final statement (a `Write`)."""

    request: CommandRequest
    written = "EXISTS (SELECT 1 FROM last_event)"
    columns = (
        "(SELECT position FROM last_event) AS last_position,"
        " (SELECT aggregate_id FROM last_event) AS last_aggregate_id,"
        " (SELECT version FROM last_event) AS last_version, (SELECT count(*) FROM remembered) AS remembered"
    )

    def ctes(self, parameters: Parameters, after: str) -> str:
        request, p = self.request, parameters
        key = request.idempotency_key or None
        answer = request.accepted(Committed.NO_AGGREGATE, "").model_dump(mode="json")
        del answer["consistency_token"]
        return _ANSWERED.format(
            after=after,
            nil=p(Committed.NO_AGGREGATE, "uuid"),
            scope=p(request.idempotency_scope, "text"),
            key=p(key, "text"),
            command=p(request.name, "text"),
            request_hash=p(request.request_hash() if key else None, "text"),
            answer=p(orjson.dumps(answer).decode(), "jsonb"),
        )

    def committed(self, row: asyncpg.Record) -> Committed:
        """The log's last event, which the answer's token names."""
        return Committed(row["last_aggregate_id"], row["last_version"], row["last_position"], recorded=False)
