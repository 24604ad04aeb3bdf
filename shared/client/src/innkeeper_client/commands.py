"""The command service over HTTP: one method per command, each answering the contracts' CommandAccepted
(202) or raising a CommandRejectedError.

Every command carries an `Idempotency-Key`: the one given, else a new one per call, the same on every
retry of that call. Pass your own when the call itself may be repeated (a message you re-process, a
button pressed twice): the service answers a repeat with the first answer and applies it once."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Mapping
from typing import Any, Generic, Protocol, TypedDict, TypeVar, overload

import httpx
from typing_extensions import Unpack

from innkeeper_contracts import (
    COMMANDS,
    BookStay,
    CancelBooking,
    ChangeGuestContact,
    ChangeRoomCapacity,
    Command,
    CommandAccepted,
    EraseGuestData,
    RegisterHotel,
    SetManagementContact,
    SetNightlyRate,
)

from .calling import Caller, RetryPolicy, new_id

IDEMPOTENCY_HEADER = "Idempotency-Key"


class CommandOptions(TypedDict, total=False):
    """What every command method takes besides the command."""

    idempotency_key: str | None
    correlation_id: str | None


def command_request(name: str, body: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The method, path and JSON body of a command given by name and as its AMQP JSON (ids in the body),
    as its contract declares (`http`): the path carries the ids of what the command acts on, the body
    the rest."""
    model = COMMANDS.get(name)
    if model is None:
        raise ValueError(f"unknown command {name!r}")
    route = model.http
    in_path = {parameter.field for parameter in route.parameters.values()}
    rest = {key: value for key, value in body.items() if key not in in_path}
    return route.method, route.path_of(body), rest


def command_json(command: Command) -> dict[str, Any]:
    """A command as the JSON the services take: ids the server chooses, when left out, stay out."""
    return command.model_dump(mode="json", exclude_none=True)


C = TypeVar("C", bound=Command)
C_contra = TypeVar("C_contra", bound=Command, contravariant=True)


class SendsCommand(Protocol[C_contra]):
    """A command method bound to its sender."""

    def __call__(self, command: C_contra, **options: Unpack[CommandOptions]) -> Awaitable[CommandAccepted]:
        """Send the command; its CommandAccepted, or the error for its rejection."""
        ...


class CommandMethod(Generic[C]):
    """A method for one command: `execute`, typed to take that command's model only."""

    def __init__(self, model: type[C], doc: str = "") -> None:
        self.model = model
        self.__doc__ = doc or f"Send {model.__name__}."

    @overload
    def __get__(self, sender: None, owner: type[CommandMethods]) -> CommandMethod[C]: ...

    @overload
    def __get__(self, sender: CommandMethods, owner: type[CommandMethods]) -> SendsCommand[C]: ...

    def __get__(
        self, sender: CommandMethods | None, owner: type[CommandMethods]
    ) -> CommandMethod[C] | SendsCommand[C]:
        return self if sender is None else sender.execute


class CommandMethods(ABC):
    """One method per command, over whichever transport `deliver` uses (HTTP or AMQP)."""

    async def send(
        self,
        name: str,
        body: Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> CommandAccepted:
        """Send a command by name with its JSON as given (validated by the service, not here): for
        forwarding what another system produced. The typed methods below are the usual way."""
        return await self.deliver(name, body, idempotency_key or new_id(), correlation_id or new_id())

    @abstractmethod
    async def deliver(
        self, name: str, body: Mapping[str, Any], idempotency_key: str, correlation_id: str
    ) -> CommandAccepted:
        """Send one command over this transport, its idempotency key and correlation id chosen."""

    async def execute(self, command: Command, **options: Unpack[CommandOptions]) -> CommandAccepted:
        """Send any command model; its class names the command."""
        return await self.send(type(command).__name__, command_json(command), **options)

    register_hotel = CommandMethod(
        RegisterHotel,
        "Register a hotel; the answer names it in `hotel_id` (also when you chose it) and `aggregate_id`.",
    )
    change_room_capacity = CommandMethod(ChangeRoomCapacity)
    set_nightly_rate = CommandMethod(SetNightlyRate)
    set_management_contact = CommandMethod(SetManagementContact)
    book_stay = CommandMethod(
        BookStay, "Book a stay; the answer names the booking in `booking_id` (and `aggregate_id`)."
    )
    cancel_booking = CommandMethod(CancelBooking)
    change_guest_contact = CommandMethod(ChangeGuestContact)
    erase_guest_data = CommandMethod(
        EraseGuestData,
        "Erase a guest's personal data (the guest themself, or an admin): their bookings stay, their name"
        " and address read `[erased]` from then on.",
    )


class CommandClient(CommandMethods):
    """Commands over HTTP, on the command service at the `httpx.AsyncClient`'s base URL."""

    def __init__(self, http: httpx.AsyncClient, retry: RetryPolicy | None = None) -> None:
        self._command_caller = Caller(http, retry or RetryPolicy())

    async def deliver(
        self, name: str, body: Mapping[str, Any], idempotency_key: str, correlation_id: str
    ) -> CommandAccepted:
        method, path, payload = command_request(name, body)
        answer = await self._command_caller.call(
            method,
            path,
            json=payload,
            headers={IDEMPOTENCY_HEADER: idempotency_key},
            correlation_id=correlation_id,
            command=name,
        )
        return CommandAccepted.model_validate_json(answer.content)
