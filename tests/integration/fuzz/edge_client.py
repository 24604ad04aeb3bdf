"""HTTP clients of the edge tests: one keep-alive connection, and a way to tell it was kept."""

from __future__ import annotations

import httpx
from testkit.auth import admin
from testkit.services import ServiceProcess


def http(process: ServiceProcess, **headers: str) -> httpx.AsyncClient:
    """One keep-alive connection to the process, as an admin (extra headers on every request)."""
    limits = httpx.Limits(max_connections=1)
    return httpx.AsyncClient(base_url=process.url, headers={**admin(), **headers}, limits=limits, timeout=10)


def connection_of(response: httpx.Response) -> object:
    """The client end (address, port) of the connection the answer came on, while it is open: equal
    ends, one connection."""
    stream = response.extensions["network_stream"]
    return stream.get_extra_info("client_addr")
