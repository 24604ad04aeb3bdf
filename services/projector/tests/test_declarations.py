"""Every event type of the contracts is projected or listed as ignored: none falls through unnoticed."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

import pytest

from innkeeper_contracts import EVENT_TYPES, HotelEvent, ManagementContactSet
from projector.projection import check_declarations
from projector.projection.dispatch import HANDLES, IGNORED


class HotelRenamed(HotelEvent):
    """An event type the contracts might gain, with no projection yet."""

    hotel_id: UUID
    name: str


def test_every_event_type_is_projected_or_ignored_exactly_once() -> None:
    check_declarations()
    assert set(HANDLES) | set(IGNORED) == set(EVENT_TYPES.values())
    assert not set(HANDLES) & set(IGNORED)


def test_an_event_type_without_a_projection_or_a_reason_stops_the_start() -> None:
    with pytest.raises(RuntimeError, match=r"HotelRenamed.*no projection and not ignored"):
        check_declarations([*EVENT_TYPES.values(), HotelRenamed])


def test_an_event_type_both_projected_and_ignored_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(IGNORED, cast(type[Any], ManagementContactSet), "a contact no page shows")
    with pytest.raises(RuntimeError, match=r"ManagementContactSet.*declared 2 times"):
        check_declarations()
