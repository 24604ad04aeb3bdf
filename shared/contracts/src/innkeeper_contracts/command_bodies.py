"""The HTTP bodies of the commands whose path carries their ids: the body carries the rest."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from .contract import Contract
from .money import NightlyRate
from .personal import IN_CLEAR
from .values import MAX_ROOMS, Email, Reason


class ChangeRoomCapacityBody(Contract):
    """Body of `POST /hotels/{hotel_id}/room-types/{code}/capacity`."""

    capacity: StrictInt = Field(ge=0, le=MAX_ROOMS)


class SetNightlyRateBody(Contract):
    """Body of `POST /hotels/{hotel_id}/room-types/{code}/rate`."""

    nightly_rate: NightlyRate


class SetManagementContactBody(Contract):
    """Body of `PUT /hotels/{hotel_id}/management-contact`."""

    email: Email


class CancelBookingBody(Contract):
    """Body of `POST /bookings/{booking_id}/cancel`."""

    reason: Annotated[Reason, IN_CLEAR]


class ChangeGuestContactBody(Contract):
    """Body of `PUT /bookings/{booking_id}/guest-contact`."""

    email: Annotated[Email, IN_CLEAR]
