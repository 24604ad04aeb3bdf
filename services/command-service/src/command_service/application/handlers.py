"""One handler per command: get → act → save → commit.

A guest's personal data (name, e-mail address, a cancellation's reason) is sealed under their data key
here, before the domain sees it (`UnitOfWork.guest_keys`): aggregates, events and the write model only
ever hold the sealed text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from uuid import uuid4

from command_service.application.behaviours import Check
from command_service.application.mediator import Handler
from command_service.application.ports import Committed, UnitOfWork
from command_service.domain.booking import Booking
from command_service.domain.clock import Clock, today
from command_service.domain.hotel import Hotel
from command_service.domain.refunds import CancellationPolicy
from command_service.domain.stay import ensure_bookable, ensure_bookable_check_in
from innkeeper_contracts import (
    BookStay,
    CancelBooking,
    ChangeGuestContact,
    ChangeRoomCapacity,
    Contract,
    EraseGuestData,
    RegisterHotel,
    SealedGuest,
    SetManagementContact,
    SetNightlyRate,
)


@dataclass(frozen=True)
class Handlers:
    """The handlers, sharing the clock and the cancellation policy."""

    clock: Clock
    cancellation_policy: CancellationPolicy

    async def register_hotel(self, command: RegisterHotel, uow: UnitOfWork) -> Committed:
        hotel = Hotel.register(command, command.hotel_id or uuid4(), self.clock.now())
        await uow.hotels.add(hotel)
        return await uow.commit()

    async def change_room_capacity(self, command: ChangeRoomCapacity, uow: UnitOfWork) -> Committed:
        hotel = await uow.hotels.get(command.hotel_id, lock_room_type=command.room_type)
        from_night = today(self.clock)
        booked = await uow.inventory.most_booked(hotel.id, command.room_type, from_night)
        hotel.change_capacity(command.room_type, command.capacity, most_booked=booked)
        await uow.inventory.set_capacity(hotel.id, command.room_type, from_night, command.capacity)
        await uow.hotels.save(hotel)
        return await uow.commit()

    async def set_nightly_rate(self, command: SetNightlyRate, uow: UnitOfWork) -> Committed:
        hotel = await uow.hotels.get(command.hotel_id)
        hotel.set_nightly_rate(command.room_type, command.nightly_rate)
        await uow.hotels.save(hotel)
        return await uow.commit()

    async def set_management_contact(self, command: SetManagementContact, uow: UnitOfWork) -> Committed:
        hotel = await uow.hotels.get(command.hotel_id)
        hotel.set_management_contact(command.email)
        await uow.hotels.save(hotel)
        return await uow.commit()

    def check_book_stay(self, command: BookStay) -> None:
        """The stay's dates on today's calendar (the schema checked the rest); the domain checks again."""
        ensure_bookable_check_in(command.check_in, today(self.clock))

    async def book_stay(self, command: BookStay, uow: UnitOfWork) -> Committed:
        room_type = await uow.hotels.room_type_for_booking(command.hotel_id, command.room_type)
        now = self.clock.now()
        guest_id = ensure_bookable(command, room_type, now.astimezone(UTC).date())  # before a key is made
        # Most bookings are a guest's first or come from a replica that knows their key: not looking for
        # one first keeps the booking one statement, as it was before sealing.
        sealer = await uow.guest_keys.sealer_for(guest_id, likely_new=True)
        name, email = sealer.seal(command.guest.name), sealer.seal(command.guest.email)
        guest = SealedGuest(guest_id=guest_id, name=name, email=email)
        booking = Booking.book(command.booking_id or uuid4(), command, guest, room_type, now)
        await uow.inventory.reserve(booking.stay, room_type)
        await uow.bookings.add(booking)
        return await uow.commit()

    async def cancel_booking(self, command: CancelBooking, uow: UnitOfWork) -> Committed:
        booking = await uow.bookings.get(command.booking_id)
        # Under the guest's key, a new one if theirs was erased: the reason is text about them, new data.
        sealer = await uow.guest_keys.sealer_for(booking.guest.guest_id)
        booking.cancel(sealer.seal(command.reason), self.clock.now(), self.cancellation_policy)
        await uow.inventory.release(booking.stay)
        await uow.bookings.save(booking)
        return await uow.commit()

    async def change_guest_contact(self, command: ChangeGuestContact, uow: UnitOfWork) -> Committed:
        booking = await uow.bookings.get(command.booking_id)
        sealer = await uow.guest_keys.sealer_for(booking.guest.guest_id)
        booking.change_guest_contact(sealer.seal(command.email), self.clock.now())
        await uow.bookings.save(booking)
        return await uow.commit()

    async def erase_guest_data(self, command: EraseGuestData, uow: UnitOfWork) -> Committed:
        """Delete the guest's key first, then read their bookings: a booking written meanwhile under the
        key is then either refused (it runs again under a new key) or read here (`adapters.guest_keys`)."""
        key_ids = await uow.guest_keys.erase(command.guest_id)
        bookings = await uow.bookings.of_guest(command.guest_id)
        now = self.clock.now()
        for booking in bookings:
            booking.erase_guest_data(now, key_ids)
        if bookings:
            await uow.bookings.save_erasures(bookings)
        return await uow.commit()  # a guest without bookings: no event (`Committed.recorded`)

    def by_command(self) -> dict[type[Contract], Handler]:
        return {
            RegisterHotel: self.register_hotel,
            ChangeRoomCapacity: self.change_room_capacity,
            SetNightlyRate: self.set_nightly_rate,
            SetManagementContact: self.set_management_contact,
            BookStay: self.book_stay,
            CancelBooking: self.cancel_booking,
            ChangeGuestContact: self.change_guest_contact,
            EraseGuestData: self.erase_guest_data,
        }

    def checks_by_command(self) -> dict[type[Contract], Check]:
        """The commands with a check before their transaction, beside their handler above."""
        return {BookStay: self.check_book_stay}
