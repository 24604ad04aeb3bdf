"""The statement that ends a command: append its events, queue them in the outbox, remember the answer.

The rules it keeps (the shared append lock, positions drawn only once the write has happened) are
explained where it is used: `event_log`.
"""

from __future__ import annotations

import re

from innkeeper_contracts.eventlog import APPEND_LOCK

# The tail in ONE statement: the shared lock is taken inside it (an InitPlan evaluated once, before any row
# is produced, so before any position is drawn), then positions are drawn, the events appended, queued in
# the outbox and the answer remembered (the relay is woken in-process after the commit). Positions are
# paired with the events' order by rank, whatever order the sequence is called in. A deferred write's CTEs
# come first (their parameters follow the append's 18); nothing is
# appended unless its `written` CTE has a row, and reading that CTE makes the write (and locks its rows)
# before any position is drawn. The write's result columns come first in the final SELECT, which evaluates
# them first: a second reason for that order (`test_whole_stays` fails only when both are reversed).
_APPEND = """
{deferred}input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::uuid[], $6::int[], $7::text[],
                         $8::jsonb[]) WITH ORDINALITY
        AS u(event_id, event_type, schema_version, aggregate_type, aggregate_id, aggregate_version,
             partition_key, data, ord)
), drawn AS MATERIALIZED (
    SELECT nextval('events_global_position_seq') AS position FROM input
    WHERE {written} AND (SELECT pg_advisory_xact_lock_shared({lock})::text) IS NOT NULL
), numbered AS (
    SELECT position, row_number() OVER (ORDER BY position) AS ord FROM drawn
), appended AS (
    INSERT INTO events (global_position, event_id, event_type, schema_version, aggregate_type,
                        aggregate_id, aggregate_version, partition_key, occurred_at, correlation_id,
                        causation_id, data, actor)
    SELECT n.position, i.event_id, i.event_type, i.schema_version, i.aggregate_type, i.aggregate_id,
           i.aggregate_version, i.partition_key, $9::timestamptz, $10::text, $11::text, i.data, $17::jsonb
    FROM numbered AS n JOIN input AS i ON i.ord = n.ord
    RETURNING global_position
), queued AS (
    INSERT INTO outbox (global_position) SELECT global_position FROM appended RETURNING 1
), remembered AS (
    INSERT INTO idempotency_keys (principal, key, command, request_hash, status_code, response_body)
    SELECT $18::text, $12::text, $13::text, $14::text, 202,
           $15::jsonb || jsonb_build_object('consistency_token',
                                            (SELECT max(position) FROM drawn) || $16::text)
    WHERE $12::text IS NOT NULL AND EXISTS (SELECT 1 FROM drawn)
    RETURNING 1
)
SELECT {columns}(SELECT max(position) FROM drawn) AS last_position,
       (SELECT count(*) FROM remembered) AS remembered
"""
_APPEND_PARAMETERS = 18
_PARAMETER = re.compile(r"\$(\d+)")


def append_statement(deferred: str = "", written: str = "", columns: str = "") -> str:
    """The tail statement, after a deferred write's CTEs (parameters numbered from $1) when given: it
    appends only if the CTE `written` has a row, and adds the write's result `columns`."""
    shifted = _PARAMETER.sub(lambda match: f"${int(match[1]) + _APPEND_PARAMETERS}", deferred)
    return _APPEND.format(
        deferred=f"WITH {shifted}, " if deferred else "WITH ",
        lock=APPEND_LOCK,
        written=f"EXISTS (SELECT 1 FROM {written})" if written else "TRUE",
        columns=f"{columns}, " if columns else "",
    )


ALONE = append_statement()
"""The statement for events without a deferred write."""
