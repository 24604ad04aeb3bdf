"""Response models of the query API: the contracts' read documents, wrapped in pages where listed."""

from __future__ import annotations

from datetime import date
from typing import Literal, TypeVar
from uuid import UUID

from pydantic import Field

from innkeeper_contracts import Contract
from innkeeper_contracts.documents import BookingDetail, HotelCard, HotelNight, ManagementAlert

M = TypeVar("M", bound=Contract)

CURSOR_DESCRIPTION = "Pass as `cursor` to get the next page; null on the last page."


class HotelPage(Contract):
    """A page of hotel search results in the requested order."""

    items: list[HotelCard]
    next_cursor: str | None = Field(description=CURSOR_DESCRIPTION)


class BookingPage(Contract):
    """A page of a guest's bookings, by check-in date."""

    items: list[BookingDetail]
    next_cursor: str | None = Field(description=CURSOR_DESCRIPTION)


class AlertPage(Contract):
    """A page of the management alert feed, newest first."""

    items: list[ManagementAlert]
    next_cursor: str | None = Field(description=CURSOR_DESCRIPTION)


class HotelAvailability(Contract):
    """Per night and room type, how many rooms a hotel has, has booked and has free."""

    hotel_id: UUID
    check_in: date = Field(description="First night (the `check_in` parameter).")
    check_out: date = Field(description="Day after the last night (the `check_out` parameter), exclusive.")
    start: date = Field(
        description="Deprecated: `check_in` under its old name; removed in the next version.", deprecated=True
    )
    end: date = Field(
        description="Deprecated: `check_out` under its old name; removed in the next version.",
        deprecated=True,
    )
    nights: list[HotelNight]


class Health(Contract):
    """Liveness or readiness of this process."""

    status: Literal["ok", "unavailable"]
    detail: str | None = None


def load(model: type[M], document: dict[str, object]) -> M:
    """A stored document as its contract model (storage-only keys such as `_id` dropped)."""
    return model.model_validate({k: v for k, v in document.items() if not k.startswith("_")})
