"""The stay value: its nights, the ids of their documents, the rules of its dates and their limits."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from innkeeper_contracts.stay import (
    BOOKING_HORIZON_DAYS,
    MAX_NIGHTS,
    Stay,
    StayDatesError,
    night_count,
    night_id,
)

TODAY = date(2030, 5, 1)
check_ins = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
lengths = st.integers(min_value=1, max_value=MAX_NIGHTS)


@given(check_ins, lengths)
def test_a_stay_has_a_night_for_each_day_from_check_in_to_the_day_before_check_out(
    check_in: date, length: int
) -> None:
    stay = Stay.checked(check_in, check_in + timedelta(days=length))
    assert len(stay.nights) == stay.night_count == (stay.check_out - stay.check_in).days == length
    assert stay.nights[0] == check_in
    assert stay.nights[-1] == stay.check_out - timedelta(days=1)
    assert stay.iso_nights() == [night.isoformat() for night in stay.nights]


@given(check_ins, lengths, st.uuids())
def test_night_ids_are_ordered_and_unique(check_in: date, length: int, hotel: object) -> None:
    ids = Stay(check_in, check_in + timedelta(days=length)).night_ids(str(hotel))
    assert ids == sorted(set(ids))
    assert all(one.startswith(f"{hotel}:") for one in ids)


def test_stay_nights_exclude_check_out() -> None:
    assert Stay(date(2027, 2, 27), date(2027, 3, 1)).iso_nights() == ["2027-02-27", "2027-02-28"]


def test_night_ids_sort_by_night_within_a_hotel() -> None:
    hotel = str(uuid4())
    assert night_id(hotel, date(2027, 1, 9)) < night_id(hotel, date(2027, 1, 10))
    assert night_id(hotel, date(2027, 1, 9)) == f"{hotel}:2027-01-09" == night_id(hotel, "2027-01-09")


@pytest.mark.parametrize(
    ("length", "kind", "message"),
    [
        (0, "date_order", "check_out must be after check_in"),
        (-3, "date_order", "check_out must be after check_in"),
        (MAX_NIGHTS + 1, "too_many_nights", f"a stay is at most {MAX_NIGHTS} nights, not {MAX_NIGHTS + 1}"),
    ],
)
def test_check_out_is_one_to_max_nights_after_check_in(length: int, kind: str, message: str) -> None:
    with pytest.raises(StayDatesError) as raised:
        Stay.checked(TODAY, TODAY + timedelta(days=length))
    assert (raised.value.field, raised.value.kind, raised.value.message) == ("check_out", kind, message)


def test_a_longer_range_passes_when_the_caller_lifts_the_limit() -> None:
    assert night_count(TODAY, TODAY + timedelta(days=92), max_nights=92) == 92
    assert Stay.checked(TODAY, TODAY + timedelta(days=400), max_nights=None).night_count == 400
    with pytest.raises(StayDatesError, match="must be after"):
        Stay.checked(TODAY, TODAY, max_nights=None)


@given(st.integers(min_value=0, max_value=BOOKING_HORIZON_DAYS))
def test_check_in_from_today_to_the_horizon_is_bookable(days_ahead: int) -> None:
    Stay(TODAY + timedelta(days=days_ahead), TODAY + timedelta(days=days_ahead + 1)).ensure_bookable(TODAY)


@pytest.mark.parametrize(
    ("check_in", "kind", "message"),
    [
        (
            TODAY - timedelta(days=1),
            "date_in_past",
            "check_in 2030-04-30 is in the past (today is 2030-05-01)",
        ),
        (
            TODAY + timedelta(days=BOOKING_HORIZON_DAYS + 1),
            "beyond_booking_horizon",
            "check_in 2032-05-01 is too far ahead: at most 730 days, 2032-04-30",
        ),
    ],
)
def test_check_in_in_the_past_or_beyond_the_horizon_is_not_bookable(
    check_in: date, kind: str, message: str
) -> None:
    with pytest.raises(StayDatesError) as raised:
        Stay(check_in, check_in + timedelta(days=1)).ensure_bookable(TODAY)
    assert (raised.value.field, raised.value.kind, raised.value.message) == ("check_in", kind, message)
