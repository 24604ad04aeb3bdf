"""The query answers that are not one read document: a page of documents, and a hotel's availability.
The documents inside are the contracts' own (HotelCard, BookingDetail, ManagementAlert, HotelNight)."""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from innkeeper_contracts import Contract
from innkeeper_contracts.documents import HotelNight

DocumentT = TypeVar("DocumentT", bound=Contract)


class Page(BaseModel, Generic[DocumentT]):
    """One page of a listing; pass `next_cursor` as `cursor` for the next (None on the last page)."""

    # A reader ignores what it does not know: an answer may gain members.
    model_config = ConfigDict(frozen=True, extra="ignore")

    items: list[DocumentT]
    next_cursor: str | None = None


class HotelAvailability(BaseModel):
    """Per night and room type: how many rooms a hotel has, has booked and has free."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    hotel_id: UUID
    check_in: date = Field(description="First night.")
    check_out: date = Field(description="Day after the last night, exclusive.")
    nights: list[HotelNight]
