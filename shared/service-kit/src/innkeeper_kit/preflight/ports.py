"""The HTTP port: nothing else listens on it, on the address the server will bind."""

from __future__ import annotations

import socket
from functools import partial

from . import Check, Finding


def port_free(port: int, variable: str = "PORT") -> Check:
    return partial(_finding, port, variable)


async def _finding(port: int, variable: str) -> Finding | None:
    from innkeeper_kit import serving  # at call time: a test may bind each replica its own address

    with socket.socket() as probe:
        # As uvicorn does: a port whose last connection is still in TIME_WAIT counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((serving.LISTEN_ADDRESS, port))
        except OSError as error:
            return Finding(
                f"port {port} is in use ({error.strerror or error})",
                f"stop what holds it (ss -ltnp 'sport = :{port}') or set {variable} to another port",
            )
    return None
