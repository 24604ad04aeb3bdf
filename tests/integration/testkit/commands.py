"""Innkeeper commands over HTTP (a frontend) by command name, the same way AMQP names them."""

from __future__ import annotations

from typing import Any

import httpx

from innkeeper_contracts import CommandAccepted, ConsistencyToken


def command_route(command: str, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The HTTP path and body of a command given as its full AMQP JSON (ids in the body)."""
    rest = {k: v for k, v in body.items() if k not in ("hotel_id", "room_type", "booking_id")}
    match command:
        case "RegisterHotel":
            return "/hotels", body
        case "BookStay":
            return "/bookings", body
        case "CancelBooking":
            return f"/bookings/{body['booking_id']}/cancel", rest
        case "ChangeRoomCapacity":
            return f"/hotels/{body['hotel_id']}/room-types/{body['room_type']}/capacity", rest
        case "SetNightlyRate":
            return f"/hotels/{body['hotel_id']}/room-types/{body['room_type']}/rate", rest
    raise ValueError(f"unknown command {command}")


def command_request(command: str, body: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The method, path and body of a command given as its AMQP JSON: the one PUT, or a POST."""
    if command == "SetManagementContact":
        return "PUT", f"/hotels/{body['hotel_id']}/management-contact", {"email": body["email"]}
    return "POST", *command_route(command, body)


class HttpCommands:
    """Sends commands to a command service over HTTP and returns the answer's JSON."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(
        self, command: str, body: dict[str, Any], *, message_id: str | None = None, **_: Any
    ) -> dict[str, Any]:
        method, path, payload = command_request(command, body)
        headers = {"Idempotency-Key": message_id} if message_id else {}
        answer = await self.client.request(method, path, json=payload, headers=headers)
        result: dict[str, Any] = answer.json()
        assert answer.status_code == 202 or result.get("status") == answer.status_code, answer.text
        return result


def accepted(reply: dict[str, Any]) -> tuple[CommandAccepted, ConsistencyToken]:
    """Assert a reply is CommandAccepted; return it and its decoded consistency token."""
    assert reply.get("status") == "accepted", reply
    answer = CommandAccepted.model_validate(reply)
    return answer, ConsistencyToken.decode(answer.consistency_token)
