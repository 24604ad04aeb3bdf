"""A write that goes into a command's final statement: its CTEs, its parameters and its answer.

A fragment asks `Parameters` for a placeholder per value as the final statement is composed
(`final_statement`), so no fragment knows where the others' parameters are, and nothing is renumbered;
its SQL names each value and its type where it stands (`Parameters.fill`). An aggregate's insert and
its update at the version read answer alike whichever it is (`AggregateInsert`, `VersionedUpdate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from string import Formatter
from typing import ClassVar, Generic, Protocol, TypeVar

import asyncpg

from command_service.domain.aggregate import Aggregate
from command_service.domain.errors import AlreadyExistsError, VersionConflictError


class Parameters:
    """The final statement's parameters: each value gets the next `$n`, in the order asked for."""

    def __init__(self) -> None:
        self.values: list[object] = []

    def __call__(self, value: object, sql_type: str) -> str:
        """The placeholder of a new parameter with this value, cast to `sql_type` (e.g. `$7::date[]`)."""
        self.values.append(value)
        return f"${len(self.values)}::{sql_type}"

    def fill(self, template: str, **values: object) -> str:
        """`template` with each `{name:sql type}` the placeholder of that value (`{hotel.id:uuid}` reads
        an attribute), one however often it stands, and each `{name}` the SQL text given (a condition).
        Values get their placeholders in the order given, a value's attributes in the template's order."""
        parts = [(text, name, spec or "") for text, name, spec, _ in Formatter().parse(template)]
        given = list(values)
        filled: dict[tuple[str, str], str] = {}
        fields = [(name, spec) for _, name, spec in parts if name is not None]
        for name, spec in sorted(fields, key=lambda field: given.index(field[0].split(".")[0])):
            if (name, spec) not in filled:
                root, *path = name.split(".")
                value = reduce(getattr, path, values[root])
                filled[name, spec] = self(value, spec) if spec else str(value)
        return "".join(text + (filled[name, spec] if name is not None else "") for text, name, spec in parts)


class Write(Protocol):
    """One write of the final statement, made only if every write before it was made."""

    @property
    def written(self) -> str:
        """A SQL condition that holds once this write was made (it implies the writes before it were),
        reading its CTEs; "" when it is made whenever they were (then `columns` reads its CTEs)."""
        ...

    @property
    def columns(self) -> str:
        """What it adds to the final statement's row, for `check` (or nothing: "")."""
        ...

    @property
    def may_refuse(self) -> bool:
        """Whether `check` may find it not made (then writes before it were, and the statement must not
        run alone: only a rollback undoes them)."""
        ...

    def ctes(self, parameters: Parameters, after: str) -> str:
        """Its CTEs (`name AS (...)`, comma-separated), writing only if the SQL condition `after` holds ("":
        none, for a write that only answers the statement's errors: `refused`)."""
        ...

    def check(self, row: asyncpg.Record) -> None:
        """Raise the command's answer when the write was not made (its CTEs wrote nothing)."""

    def refused(self, error: asyncpg.PostgresError) -> None:
        """Raise the command's answer to the database refusing the statement (or nothing: it stands)."""


class WriteFragment:
    """What a write has unless it says otherwise: no columns, nothing to check, no error of its own."""

    written: ClassVar[str] = ""
    columns: ClassVar[str] = ""
    may_refuse: ClassVar[bool] = False

    def check(self, row: asyncpg.Record) -> None:
        """Nothing to check: it is made whenever the writes before it were."""

    def refused(self, error: asyncpg.PostgresError) -> None:
        """Nothing of its own: a refusal stands."""


A = TypeVar("A", bound=Aggregate)


@dataclass(frozen=True)
class AggregateInsert(WriteFragment, Generic[A]):
    """A new aggregate; when its id is taken (`primary_key` refuses its row), AlreadyExistsError saying
    `taken`."""

    aggregate: A
    primary_key: ClassVar[str]
    taken: ClassVar[str]  # with `{id}`

    def refused(self, error: asyncpg.PostgresError) -> None:
        if isinstance(error, asyncpg.UniqueViolationError) and error.constraint_name == self.primary_key:
            raise AlreadyExistsError(self.taken.format(id=self.aggregate.id)) from None


@dataclass(frozen=True)
class VersionedUpdate(WriteFragment, Generic[A]):
    """An aggregate's changes, saved only if nobody saved it since it was read at `saved_version` (else
    VersionConflictError): its CTEs update the aggregate's row at that version, and the column `saved`
    says whether they did."""

    aggregate: A
    saved_version: int
    saved: ClassVar[str]
    may_refuse = True

    def check(self, row: asyncpg.Record) -> None:
        if not row[self.saved]:
            kind, aggregate_id = self.aggregate.aggregate_type, self.aggregate.id
            raise VersionConflictError(f"{kind} {aggregate_id} changed since it was read; retry")
