"""Who may send which command: one policy for HTTP and AMQP alike, and the pipeline step that applies it
before anything is read or written under the command, so the answer never depends on the transport.
Each command is of one audience (`innkeeper_contracts.audiences`: `CancelBooking` is a `BookingPartyCommand`):

| audience | guest | staff | admin | service |
|---|---|---|---|---|
| admins | no | no | yes | if granted |
| hotel_staff | no | their hotels | yes | if granted |
| guests_and_hotel_staff | for themself | at their hotels | yes | if granted |
| booking_parties | their own (else 404) | at their hotels | yes | if granted |
| the_guest | themself | no | yes | if granted |

No caller: 401. A caller the table refuses: 403, except a guest naming someone else's booking, who is
told it does not exist (404): the answer must not confirm that a booking id is real. A guest naming
another guest (`the_guest`) is refused 403 without anything being read: that says nothing of whether the
other guest exists.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from command_service.application.mediator import Next
from command_service.application.requests import CommandRequest, Outcome
from command_service.domain.errors import BookingNotFoundError, CommandError
from innkeeper_contracts import BookStay, Contract
from innkeeper_contracts.audiences import (
    AdminCommand,
    BookingPartyCommand,
    GuestCommand,
    HotelStaffCommand,
)
from innkeeper_contracts.values import GUEST_ID_PATTERN
from innkeeper_kit.auth import Principal

EVERY_COMMAND = "*"
_GUEST_ID = re.compile(GUEST_ID_PATTERN)


class UnauthenticatedError(CommandError):
    """The command came without an identity (no bearer token, no broker-verified user)."""


class ForbiddenError(CommandError):
    """The caller is known but may not send this command."""


@dataclass(frozen=True)
class BookingParties:
    """Whose a booking is: its hotel and its guest (neither ever changes)."""

    hotel_id: UUID
    guest_id: str


class BookingParticipants(Protocol):
    """Who a booking belongs to, read before the command's own transaction (it never changes)."""

    async def of(self, booking_id: UUID) -> BookingParties | None:
        """The booking's hotel and guest, or None for an unknown booking."""
        ...


class AccessPolicy:
    """The table above; `grants` names, per service subject, the commands it may send (or `*`)."""

    def __init__(self, grants: Mapping[str, Collection[str]], bookings: BookingParticipants) -> None:
        self._grants, self._bookings = grants, bookings

    async def authorize(self, principal: Principal | None, command: Contract) -> Contract:
        """The command as this caller may send it (a guest's own id filled in), or raise why not."""
        if principal is None:
            raise UnauthenticatedError("a command needs an identity: a bearer token, or an AMQP user_id")
        if principal.role == "service":
            granted = self._grants.get(principal.subject, ())
            if EVERY_COMMAND not in granted and type(command).__name__ not in granted:
                raise ForbiddenError(f"service {principal.subject!r} is not granted {type(command).__name__}")
            return command
        name = type(command).__name__
        match command:
            case AdminCommand():
                _require(principal.role == "admin", f"only an admin sends {name}")
            case HotelStaffCommand():
                _require(principal.works_at(command.hotel_id), "staff change only the hotels they work for")
            case BookStay():
                return _book_stay(principal, command)
            case BookingPartyCommand():
                await self._booking_party(principal, command.booking_id)
            case GuestCommand():
                _require(principal.role == "admin" or _is_guest(principal, command.guest_id), _THE_GUEST)
            case _:
                raise ForbiddenError(f"no rule lets a {principal.role} send {name}")
        return command

    async def _booking_party(self, principal: Principal, booking_id: UUID) -> None:
        parties = await self._bookings.of(booking_id)
        if parties is None or (principal.role == "guest" and parties.guest_id != principal.subject):
            raise BookingNotFoundError(f"no booking {booking_id}")
        if principal.role != "guest":
            _require(principal.works_at(parties.hotel_id), "staff act only on bookings at their hotels")


def _book_stay(principal: Principal, command: BookStay) -> BookStay:
    if principal.role != "guest":
        _require(principal.works_at(command.hotel_id), "staff book only at the hotels they work for")
        return command
    if command.guest.guest_id not in (None, principal.subject):
        raise ForbiddenError("a guest books only for themself: guest.guest_id must be the token's subject")
    _require(
        _GUEST_ID.fullmatch(principal.subject) is not None, "the token's subject is not a valid guest id"
    )
    return command.model_copy(
        update={"guest": command.guest.model_copy(update={"guest_id": principal.subject})}
    )


_THE_GUEST = "only the guest themself (or an admin) acts on a guest's own data; staff may not"


def _is_guest(principal: Principal, guest_id: str) -> bool:
    return principal.role == "guest" and principal.subject == guest_id


def _require(allowed: bool, reason: str) -> None:
    if not allowed:
        raise ForbiddenError(reason)


class AuthorizationBehaviour:
    """Refuses what the caller may not send (`access`), before its idempotency key is looked up: a
    stranger learns nothing from someone else's key. A guest's own id is filled into their booking."""

    def __init__(self, policy: AccessPolicy) -> None:
        self._policy = policy

    async def __call__(self, request: CommandRequest, call_next: Next) -> Outcome:
        try:
            request.command = await self._policy.authorize(request.principal, request.command)
        except CommandError as error:
            return request.rejected(error)
        return await call_next()
