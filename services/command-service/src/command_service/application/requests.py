"""A command on its way through the pipeline, with what the pipeline learns about it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

import orjson

from command_service.domain.errors import CommandError
from innkeeper_contracts import (
    BookStay,
    CommandAccepted,
    CommandRejected,
    ConsistencyToken,
    Contract,
    problem_type,
)
from innkeeper_contracts.audiences import BookingPartyCommand, GuestCommand
from innkeeper_contracts.problems import PROBLEM_TITLES, PROBLEM_TYPE_BASE, kind_for_status
from innkeeper_kit.auth import Principal

if TYPE_CHECKING:
    from .ports import Committed, UnitOfWork

Outcome = CommandAccepted | CommandRejected
"""What the pipeline answers: HTTP 202 / an accepted reply, or problem details."""


@dataclass
class CommandRequest:
    """One command to carry out, with its correlation id, its sender (None: anonymous, refused) and
    optional idempotency key."""

    command: Contract
    correlation_id: str
    idempotency_key: str | None = None
    principal: Principal | None = None
    command_id: str = field(default_factory=lambda: str(uuid4()))
    uow: UnitOfWork | None = None
    """Set by the unit-of-work behaviour for the handler."""

    def __post_init__(self) -> None:
        if self.idempotency_key:
            self.command_id = self.idempotency_key

    @property
    def name(self) -> str:
        return type(self.command).__name__

    @property
    def retry_safe(self) -> bool:
        """A retry cannot apply the command twice: it carries an idempotency key, or the id of the
        booking it creates (a retry then finds the booking exists)."""
        return bool(self.idempotency_key) or (
            isinstance(self.command, BookStay) and self.command.booking_id is not None
        )

    @property
    def idempotency_scope(self) -> str:
        """Whose key it is: keys of two callers never collide."""
        return self.principal.scope if self.principal is not None else ""

    def actor_json(self) -> str | None:
        """Who sent it, as the events record it."""
        return None if self.principal is None else orjson.dumps(self.principal.actor.model_dump()).decode()

    def request_hash(self) -> str:
        """Fingerprint of the payload, to tell a retry from a reused key."""
        payload = f"{self.name}\n{self.command.model_dump_json()}".encode()
        return hashlib.sha256(payload).hexdigest()

    def accepted(self, aggregate_id: UUID, consistency_token: str) -> CommandAccepted:
        """The answer, naming what the command made or changed by what it is (`booking_id`, `hotel_id`;
        neither for a command about a guest: it changes every booking of theirs, or none)."""
        booking_id: UUID | None
        hotel_id: UUID | None
        if isinstance(self.command, BookStay):
            booking_id, hotel_id = aggregate_id, self.command.hotel_id
        elif isinstance(self.command, BookingPartyCommand):  # a command about one booking
            booking_id, hotel_id = aggregate_id, None
        elif isinstance(self.command, GuestCommand):  # about a guest, whose bookings it may change: no one
            booking_id, hotel_id = None, None
        else:  # every other command changes a hotel, whose id the server may have chosen: the aggregate's
            booking_id, hotel_id = None, aggregate_id
        return CommandAccepted(
            command=self.name,
            aggregate_id=aggregate_id,
            booking_id=booking_id,
            hotel_id=hotel_id,
            consistency_token=consistency_token,
            correlation_id=self.correlation_id,
        )

    def accepted_as(self, committed: Committed) -> CommandAccepted:
        """The answer to the command once committed; its token names where its last event went."""
        token = ConsistencyToken(
            aggregate_id=committed.aggregate_id,
            aggregate_version=committed.aggregate_version,
            global_position=committed.global_position,
        )
        changed = committed.aggregate_id if committed.recorded else committed.NO_AGGREGATE
        return self.accepted(changed, token.encode())

    def rejected(self, error: CommandError) -> CommandRejected:
        # Imported here: the table in `rejections` names access's errors, and access imports this module.
        from command_service.application.rejections import refused

        return refused(error, command=self.name, correlation_id=self.correlation_id)

    def replayed(self, outcome: Outcome) -> Outcome:
        """A remembered answer in this version's form. Answers remembered before 202s named `booking_id`
        and `hotel_id` and before problem types were URIs live on for one retention window; the request
        (same command, same body: the key's fingerprint matched) supplies what they lack."""
        if isinstance(outcome, CommandAccepted):
            if outcome.booking_id is not None or outcome.hotel_id is not None:
                return outcome
            current = self.accepted(outcome.aggregate_id, outcome.consistency_token)
            return current.model_copy(update={"correlation_id": outcome.correlation_id})
        if outcome.type.startswith(PROBLEM_TYPE_BASE):
            return outcome
        kind = _RENAMED_KINDS.get(outcome.type, outcome.type)
        if kind not in PROBLEM_TITLES:
            kind = kind_for_status(outcome.status)
        return outcome.model_copy(update={"type": problem_type(kind), "title": PROBLEM_TITLES[kind]})


_RENAMED_KINDS = {"invalid-command": "invalid-input", "malformed-message": "malformed-body"}
"""Bare-word problem types of earlier versions whose kind has a new name."""
