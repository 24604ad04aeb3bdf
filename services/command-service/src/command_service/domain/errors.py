"""Why a command is refused: a small hierarchy, each class knowing its HTTP status and problem type."""

from __future__ import annotations

from typing import ClassVar

from innkeeper_contracts import FieldError, ProblemKind


class CommandError(Exception):
    """A command cannot be carried out; the answer says why."""

    status: ClassVar[int] = 400
    problem_type: ClassVar[ProblemKind] = "invalid-input"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidCommandError(CommandError):
    """The command breaks a rule about its own fields (e.g. check-in in the past)."""

    status = 422
    problem_type = "invalid-input"

    @classmethod
    def on_field(cls, field: str, message: str, error_type: str) -> InvalidCommandError:
        return cls(message, errors=[FieldError(loc=["body", field], msg=message, type=error_type)])


class NotFoundError(CommandError):
    """The command names an aggregate (or part of one) that does not exist."""

    status = 404
    problem_type = "not-found"


class HotelNotFoundError(NotFoundError):
    """No hotel has this id."""


class RoomTypeNotFoundError(NotFoundError):
    """The hotel has no room type with this code."""


class BookingNotFoundError(NotFoundError):
    """No booking has this id."""


class BusinessRuleError(CommandError):
    """The command is well formed but breaks a business rule."""

    status = 409
    problem_type = "business-rule"


class NoRoomAvailableError(BusinessRuleError):
    """Some night of the stay has no free room of the type."""


class TooManyGuestsError(BusinessRuleError):
    """More guests than the room type takes."""


class AlreadyCancelledError(BusinessRuleError):
    """Only an active booking can be cancelled."""


class CapacityBelowBookedError(BusinessRuleError):
    """A room type cannot have fewer rooms than are booked on some night."""


class TooManyRoomsError(BusinessRuleError):
    """A hotel has at most `MAX_HOTEL_ROOMS` rooms, all its room types together."""


class PriceTooHighError(BusinessRuleError):
    """A stay's price (rate times nights) is above the largest amount stored."""


class CurrencyMismatchError(BusinessRuleError):
    """A hotel prices every room type in one currency."""


class ConflictError(CommandError):
    """The command collided with another change (or an existing aggregate)."""

    status = 409
    problem_type = "conflict"


class VersionConflictError(ConflictError):
    """The aggregate changed since it was read (optimistic concurrency)."""


class AlreadyExistsError(ConflictError):
    """An aggregate with this id exists already."""


class IdempotencyKeyReusedError(CommandError):
    """An idempotency key came back with another payload."""

    status = 422
    problem_type = "idempotency-key-reused"
