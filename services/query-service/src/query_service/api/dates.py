"""Stay dates in a query, by a stay's rules (`innkeeper_contracts.stay`): given together, in order,
bounded; each refusal a 422 naming the parameter."""

from __future__ import annotations

from datetime import date

from innkeeper_contracts.stay import MAX_NIGHTS, StayDatesError, night_count
from query_service.errors import InvalidQueryError


def checked_stay(check_in: date | None, check_out: date | None) -> None:
    """Both dates or neither, by a stay's rules: in order, at most MAX_NIGHTS nights."""
    if (check_in is None) != (check_out is None):
        raise InvalidQueryError.at(
            ["query", "check_out" if check_out is None else "check_in"],
            "give both check_in and check_out, or neither",
        )
    if check_in is not None and check_out is not None:
        nights_of(check_in, check_out, MAX_NIGHTS)


def nights_of(check_in: date, check_out: date, max_nights: int | None) -> int:
    """The nights from check_in to check_out, or a 422 on the date a stay's rule refuses."""
    try:
        return night_count(check_in, check_out, max_nights)
    except StayDatesError as error:
        raise InvalidQueryError.at(["query", error.field], error.message) from None


def stay_date(name: str, value: date | None, old_name: str, old_value: date | None) -> date:
    """A stay date given by its name or (deprecated) its old one; 422 when neither, or both differ."""
    if value is not None and old_value is not None and value != old_value:
        raise InvalidQueryError.at(["query", name], f"{name} and {old_name} differ: give {name} only")
    found = value if value is not None else old_value
    if found is None:
        raise InvalidQueryError.at(["query", name], "Field required", "missing")
    return found
