"""Requests through the front door, and what its access log says about where each one went."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import httpx
from flow.payloads import register_hotel, room
from testkit.auth import admin
from testkit.commands import command_request

from frontdoor.nginx import FrontDoor

CITY_ROUTE = "/hotels"


def read_city(door: FrontDoor, times: int) -> list[int]:
    """GET /hotels?city=… through the front door `times` times; the statuses."""
    url = f"{door.url('QUERY_SERVICE_LISTEN')}{CITY_ROUTE}?city=Ghent"
    with httpx.Client(timeout=30) as client:
        return [client.get(url).status_code for _ in range(times)]


def register_hotels(door: FrontDoor, times: int) -> list[int]:
    """POST RegisterHotel (a new hotel each time) through the front door; the statuses."""
    statuses = []
    with httpx.Client(base_url=door.url("COMMAND_SERVICE_LISTEN"), headers=admin(), timeout=30) as client:
        for _ in range(times):
            hotel = register_hotel("Front Door Inn", "Ghent", 3, room("DBL", 2, "90.00"))
            method, path, body = command_request("RegisterHotel", hotel)
            key = {"Idempotency-Key": uuid.uuid4().hex}
            statuses.append(client.request(method, path, json=body, headers=key).status_code)
    return statuses


def tried(door: FrontDoor, method: str, since: int = 0) -> list[list[str]]:
    """For each `method` request in the access log (from line `since`): the replica addresses nginx
    passed it to, in order."""
    routes = []
    for line in door.routed()[since:]:
        if line.startswith(f"{method} ") and (found := re.search(r"upstream=\[([^\]]*)\]", line)):
            routes.append([address.split(":")[0] for address in found.group(1).split(", ") if address])
    return routes


def eventually(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `condition` until it holds; AssertionError naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.1)
