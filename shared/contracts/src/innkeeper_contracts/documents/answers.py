"""The query service's answers that are more than one read document: a page of documents, and a hotel's
availability. Here, beside the documents, so the query service and every client read one shape."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from innkeeper_contracts.contract import TolerantContract

from .models import BookingDetail, HotelCard, HotelNight, ManagementAlert

CURSOR_DESCRIPTION = "Pass as `cursor` to get the next page; null on the last page."


class HotelPage(TolerantContract):
    """A page of hotel search results in the requested order."""

    items: list[HotelCard]
    next_cursor: str | None = Field(description=CURSOR_DESCRIPTION)


class BookingPage(TolerantContract):
    """A page of a guest's bookings, by check-in date."""

    items: list[BookingDetail]
    next_cursor: str | None = Field(description=CURSOR_DESCRIPTION)


class AlertPage(TolerantContract):
    """A page of the management alert feed, newest first."""

    items: list[ManagementAlert]
    next_cursor: str | None = Field(description=CURSOR_DESCRIPTION)


class HotelAvailability(TolerantContract):
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
