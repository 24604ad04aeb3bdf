"""The Booking aggregate: a stay booked for a guest, active until it is cancelled.

The guest's personal data (name, e-mail address, the reason a cancellation gives) comes sealed under the
guest's data key (`application.handlers` seals it before the domain sees it): the aggregate treats those
texts as opaque, so neither its events nor the write model ever hold them in clear."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from command_service.domain.aggregate import Aggregate
from command_service.domain.errors import AlreadyCancelledError, StayEndedError
from command_service.domain.hotel import RoomType
from command_service.domain.messages import HotelContact, guest_notification, management_alert
from command_service.domain.refunds import Cancellation, CancellationPolicy
from command_service.domain.stay import Stay, ensure_bookable, ensure_bookable_check_in, stay_price

__all__ = ["Booking", "Cancellation", "HotelContact", "Stay", "ensure_bookable_check_in"]
from innkeeper_contracts import (
    BookingCancelled,
    BookStay,
    GuestContactChanged,
    GuestDataErased,
    Money,
    RefundIssued,
    SealedGuest,
    StayBooked,
)

BookingStatus = Literal["active", "cancelled"]


class Booking(Aggregate):
    """A booked stay: its guest may give another e-mail address while it is ahead, and it may be
    cancelled once."""

    aggregate_type = "booking"

    def __init__(
        self,
        booking_id: UUID,
        *,
        stay: Stay,
        hotel: HotelContact,
        guest: SealedGuest,
        guests: int,
        nightly_rate: Money,
        booked_at: datetime,
        status: BookingStatus = "active",
        cancellation: Cancellation | None = None,
        version: int,
    ) -> None:
        super().__init__(booking_id, version)
        self.stay, self.hotel, self.guest, self.guests = stay, hotel, guest, guests
        self.nightly_rate, self.booked_at = nightly_rate, booked_at
        self.status: BookingStatus = status
        self.cancellation = cancellation

    @property
    def partition_key(self) -> str:
        return str(self.stay.hotel_id)

    @property
    def total_price(self) -> Money:
        return stay_price(self.nightly_rate, self.stay.night_count)

    @classmethod
    def book(
        cls, booking_id: UUID, command: BookStay, guest: SealedGuest, room_type: RoomType, now: datetime
    ) -> Booking:
        """Book a stay for `guest` (the command's guest, sealed) and ask to confirm it to the guest; the
        adapter then reserves every night (or raises NoRoomAvailableError, and nothing is recorded)."""
        if guest.guest_id != ensure_bookable(command, room_type, now.astimezone(UTC).date()):
            raise ValueError("the sealed guest is not the command's")
        stay = Stay.booked_by(command)
        booking = cls(
            booking_id,
            stay=stay,
            hotel=HotelContact(room_type.hotel_name),
            guest=guest,
            guests=command.guests,
            nightly_rate=room_type.nightly_rate,
            booked_at=now,
            version=0,
        )
        booking._record(
            StayBooked(
                booking_id=booking_id,
                **stay.fields(),
                guest=guest,
                nights=stay.night_count,
                guests=command.guests,
                nightly_rate=room_type.nightly_rate,
                total_price=booking.total_price,
                booked_at=now,
            )
        )
        booking._record(guest_notification(booking, "booking_confirmed"))
        return booking

    def cancel(self, reason: str, now: datetime, policy: CancellationPolicy) -> None:
        """Cancel (`reason` sealed): refund by policy, ask to tell the guest, alert management if late or
        high value."""
        if self.status != "active":
            raise AlreadyCancelledError(f"booking {self.id} is already cancelled")
        terms = policy.terms(self.total_price, self.stay.check_in, now)
        self.status = "cancelled"
        self.cancellation = Cancellation(now, reason, terms)
        ids = {"booking_id": self.id, "hotel_id": self.stay.hotel_id}
        guest_id = self.guest.guest_id
        self._record(
            BookingCancelled(
                booking_id=self.id,
                **self.stay.fields(),
                guest_id=guest_id,
                reason=reason,
                cancelled_at=now,
                refund_policy=terms.policy,
                refund=terms.refund,
            )
        )
        if terms.refund.amount > 0:
            self._record(RefundIssued(**ids, guest_id=guest_id, amount=terms.refund, policy=terms.policy))
        self._record(guest_notification(self, "booking_cancelled", terms))
        if terms.alert_kinds:
            self._record(management_alert(self, terms, now))

    def change_guest_contact(self, email: str, now: datetime) -> None:
        """Send what concerns this booking to `email` (sealed) from now on (set again, it is recorded
        again: the events are the trail of who set it); only while the booking is active and its stay is
        not over."""
        if self.status != "active":
            raise AlreadyCancelledError(f"booking {self.id} is cancelled: nothing more is sent about it")
        if now.astimezone(UTC).date() >= self.stay.check_out:
            raise StayEndedError(f"the stay of booking {self.id} is over: nothing more is sent about it")
        self.guest = self.guest.model_copy(update={"email": email})
        self._record(
            GuestContactChanged(
                booking_id=self.id,
                hotel_id=self.stay.hotel_id,
                guest_id=self.guest.guest_id,
                email=email,
                changed_at=now,
            )
        )

    def erase_guest_data(self, now: datetime, key_ids: list[UUID]) -> None:
        """Record that the guest's personal data was erased (their keys `key_ids` deleted): whatever the
        booking's state, and again when erased again (readers erase what they hold either way)."""
        self._record(
            GuestDataErased(
                booking_id=self.id,
                hotel_id=self.stay.hotel_id,
                guest_id=self.guest.guest_id,
                erased_at=now,
                key_ids=key_ids,
            )
        )
