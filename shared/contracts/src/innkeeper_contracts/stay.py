"""A stay: check-in (the first night) to check-out (the day after the last), its nights, the ids of its
night documents, the rules its dates follow and their limits. The one home of these for every service:
the contracts validate with it, the command service books it, the projector writes its nights and the
query service searches and answers them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Literal

MAX_NIGHTS = 30
"""The longest stay, in nights (a booking's, and a search's)."""
BOOKING_HORIZON_DAYS = 730
"""How far ahead a stay can be booked: check-in at most this many days after today (UTC)."""


class StayDatesError(ValueError):
    """A stay's dates break a rule: `field` is the date at fault, `kind` the rule (a short word, as
    pydantic names its error types), `template` with `context` the message (pydantic renders the same)."""

    def __init__(
        self, field: Literal["check_in", "check_out"], kind: str, template: str, **context: int | date
    ) -> None:
        self.field, self.kind, self.template, self.context = field, kind, template, context
        super().__init__(template.format(**context))

    @property
    def message(self) -> str:
        return str(self)


def night_count(check_in: date, check_out: date, max_nights: int | None = MAX_NIGHTS) -> int:
    """The nights from check-in to check-out; StayDatesError unless check-out is after check-in and (with
    `max_nights`, `MAX_NIGHTS` unless told) at most that many nights later. No list is built: a
    schema checks every command and event with this."""
    nights = (check_out - check_in).days
    if nights < 1:
        raise StayDatesError("check_out", "date_order", "check_out must be after check_in")
    if max_nights is not None and nights > max_nights:
        message = "a stay is at most {maximum} nights, not {nights}"
        raise StayDatesError("check_out", "too_many_nights", message, maximum=max_nights, nights=nights)
    return nights


def ensure_bookable_check_in(check_in: date, today: date) -> None:
    """The rules of a stay's dates that depend on the day (UTC): check-in is today or later, and at most
    `BOOKING_HORIZON_DAYS` after today; StayDatesError otherwise."""
    if check_in < today:
        message = "check_in {check_in} is in the past (today is {today})"
        raise StayDatesError("check_in", "date_in_past", message, check_in=check_in, today=today)
    if (check_in - today).days > BOOKING_HORIZON_DAYS:
        latest = today + timedelta(days=BOOKING_HORIZON_DAYS)
        message = "check_in {check_in} is too far ahead: at most {maximum} days, {latest}"
        raise StayDatesError(
            "check_in",
            "beyond_booking_horizon",
            message,
            check_in=check_in,
            maximum=BOOKING_HORIZON_DAYS,
            latest=latest,
        )


def night_id(hotel_id: str, night: date | str) -> str:
    """`_id` of a hotel night's read document, `<hotel_id>:<night>` (sorts by night within a hotel)."""
    return f"{hotel_id}:{night if isinstance(night, str) else night.isoformat()}"


@dataclass(frozen=True)
class Stay:
    """Every night from `check_in` up to, not including, `check_out`. Built as it is, it checks nothing
    (a range of availability may be longer than a stay); `Stay.checked` applies the rules."""

    check_in: date
    check_out: date

    @classmethod
    def checked(cls, check_in: date, check_out: date, max_nights: int | None = MAX_NIGHTS) -> Stay:
        """The stay, when check-out is after check-in by at most `max_nights` (StayDatesError if not)."""
        night_count(check_in, check_out, max_nights)
        return cls(check_in, check_out)

    @property
    def night_count(self) -> int:
        return (self.check_out - self.check_in).days

    @cached_property
    def nights(self) -> list[date]:
        """Every night of the stay, in order (computed once: a booking asks several times)."""
        first = self.check_in
        return [first + timedelta(days=offset) for offset in range(self.night_count)]

    def iso_nights(self) -> list[str]:
        """The nights as read documents store them (ISO dates)."""
        first = self.check_in
        return [(first + timedelta(days=offset)).isoformat() for offset in range(self.night_count)]

    def night_ids(self, hotel_id: str) -> list[str]:
        """The `_id` of each night's read document at this hotel, in order."""
        return [night_id(hotel_id, night) for night in self.nights]

    def ensure_bookable(self, today: date) -> None:
        """StayDatesError unless the stay can be booked on `today` (`ensure_bookable_check_in`)."""
        ensure_bookable_check_in(self.check_in, today)
