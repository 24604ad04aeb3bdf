"""Why a command is refused: a small hierarchy. What each kind means on the wire (problem kind, status)
is the application's one table, `application/rejections.py`."""

from __future__ import annotations

from innkeeper_contracts import FieldError


class CommandError(Exception):
    """A command cannot be carried out; the answer says why."""

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class InvalidCommandError(CommandError):
    """The command breaks a rule about its own fields (e.g. check-in in the past)."""

    @classmethod
    def on_field(cls, field: str, message: str, error_type: str) -> InvalidCommandError:
        return cls(message, errors=[FieldError(loc=["body", field], msg=message, type=error_type)])


class NotFoundError(CommandError):
    """The command names an aggregate (or part of one) that does not exist."""


class HotelNotFoundError(NotFoundError):
    """No hotel has this id."""


class RoomTypeNotFoundError(NotFoundError):
    """The hotel has no room type with this code."""


class BookingNotFoundError(NotFoundError):
    """No booking has this id."""


class BusinessRuleError(CommandError):
    """The command is well formed but breaks a business rule."""


class NoRoomAvailableError(BusinessRuleError):
    """Some night of the stay has no free room of the type."""


class TooManyGuestsError(BusinessRuleError):
    """More guests than the room type takes."""


class AlreadyCancelledError(BusinessRuleError):
    """Only an active booking can be cancelled (or changed)."""


class StayEndedError(BusinessRuleError):
    """The stay is over: its booking no longer changes."""


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


class VersionConflictError(ConflictError):
    """The aggregate changed since it was read (optimistic concurrency)."""


class AlreadyExistsError(ConflictError):
    """An aggregate with this id exists already."""


class IdempotencyKeyReusedError(CommandError):
    """An idempotency key came back with another payload."""
