"""The statement that ends a command: its writes left to it, then its events appended, queued in the
outbox and its answer remembered, composed from typed fragments (`write_fragment.Write`) in one place.

The order it keeps:
- Writes come in the order they were added, each made only if every write before it was made, and the
  events are appended only if the last write was (`Write.written`). A statement whose first write may
  be refused (a full room) writes nothing then, so it may run alone; one whose later write may be
  refused (an outdated version) runs in a transaction, which the refusal rolls back.
- Every write happens, and takes its row locks, before the append lock and before any position is
  drawn: the append lock is taken in shared mode inside the statement (an InitPlan evaluated once,
  before any row is produced) only after the condition that reads the last write's CTEs, so a command
  waiting for a night holds back neither the horizon readers nor the sequence. The writes' result
  columns also come first in the final SELECT, which evaluates them first: a second reason for that
  order (`test_whole_stays` fails only when both are reversed), and the only one for a write made
  whenever the writes before it were (it adds no condition, so its column must read its CTEs).
- Positions are drawn once the write has happened and paired with the events' order by rank, whatever
  order the sequence is called in; the relay is woken in-process after the commit.
- Nothing is renumbered: every fragment takes its placeholders from one `Parameters` as it is composed.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from command_service.adapters.event_log import EventAppend
from command_service.adapters.eventless_answer import EventlessAnswer
from command_service.adapters.transaction import Transaction
from command_service.adapters.write_fragment import Parameters, Write
from command_service.application.ports import Committed


def compose(writes: Sequence[Write]) -> tuple[str, list[object]]:
    """One statement of the writes in order (each after the one before it) and its parameters."""
    parameters, after = Parameters(), "TRUE"
    ctes, columns = [], []
    if len({type(write) for write in writes}) < len(writes):
        raise RuntimeError("one write of each kind per statement: their CTEs are named by kind")
    for write in writes:
        if text := write.ctes(parameters, after):  # a write may only check the statement's errors
            ctes.append(text)
        after = write.written or after
        if write.columns:
            columns.append(write.columns)
    return f"WITH {', '.join(ctes)}\nSELECT {', '.join(columns)}", parameters.values


class FinalStatement:
    """The writes a command leaves to the statement that appends its events, and that statement."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self._writes: list[Write] = []

    def add(self, write: Write) -> None:
        """Leave `write` to the final statement; no other statement may follow it."""
        self._transaction.only_final_statement_follows()
        self._writes.append(write)

    async def commit(self, append: EventAppend | EventlessAnswer) -> Committed:
        """Run the writes and the append (or, with no event, the answer) in one statement, check each
        write, commit."""
        writes = [*self._writes, append]
        statement, arguments = compose(writes)
        if any(write.may_refuse for write in writes[1:]):  # it may leave the first made, the rest not
            await self._transaction.begin()
        try:
            row = await self._transaction.run_final(statement, *arguments)
        except asyncpg.PostgresError as error:
            for write in writes:
                write.refused(error)
            raise
        for write in writes:
            write.check(row)
        await self._transaction.commit()
        return append.committed(row)
