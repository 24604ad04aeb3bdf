"""Commands over HTTP, as docs/openapi/command-service.json publishes them."""

from typing import Any

import httpx

from conformance.attempts import Answer, classify
from conformance.commands import Command


def http_request(command: Command) -> tuple[str, dict[str, Any]]:
    """The path and body of a command: the HTTP body leaves out what the path names."""
    body = dict(command.body)
    match command.name:
        case "RegisterHotel":
            return "/hotels", body
        case "BookStay":
            return "/bookings", body
        case "CancelBooking":
            return f"/bookings/{body.pop('booking_id')}/cancel", body
        case "SetNightlyRate" | "ChangeRoomCapacity":
            hotel_id, code = body.pop("hotel_id"), body.pop("room_type")
            leaf = "rate" if command.name == "SetNightlyRate" else "capacity"
            return f"/hotels/{hotel_id}/room-types/{code}/{leaf}", body
    raise ValueError(f"no HTTP path for {command.name}")


def retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class HttpClient:
    """One client: its own connection pool; each attempt goes to the next replica's URL."""

    transport = "http"

    def __init__(self, name: str, base_urls: list[str], token: str) -> None:
        self.name, self.base_urls, self.turn = name, base_urls, 0
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
        self.client = httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, limits=limits)

    async def attempt(self, command: Command, key: str, wait: float) -> Answer:
        base_url = self.base_urls[self.turn % len(self.base_urls)]
        self.turn += 1
        path, body = http_request(command)
        headers = {"Idempotency-Key": key, "X-Correlation-Id": key}
        try:
            response = await self.client.post(
                base_url + path, json=body, headers=headers, timeout=max(wait, 0.5)
            )
        except httpx.HTTPError as error:
            return Answer("retry", reason=f"{type(error).__name__}: {error}"[:200])
        try:
            document = response.json()
        except ValueError:
            document = None
        return classify(response.status_code, document, retry_after(response))

    def forget(self, key: str) -> None:
        """Nothing is kept per key over HTTP."""

    async def close(self) -> None:
        await self.client.aclose()
