"""Replicas behind the front door: real service processes, each on its own loopback address and the
service's one port (as compose replicas are), their request counts read from their own /metrics; and a
replica that takes a request and dies before answering."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from testkit.auth import operator
from testkit.services import ServiceProcess

_TESTS = str(Path(__file__).resolve().parents[1])


class Replica(ServiceProcess):
    """`python -m <package>` listening on `address`:`port` only."""

    def __init__(self, package: str, address: str, port: int, env: dict[str, str], log_dir: Path) -> None:
        path = os.pathsep.join(filter(None, [_TESTS, os.environ.get("PYTHONPATH")]))
        wrapped = {**env, "PYTHONPATH": path}
        super().__init__("frontdoor.bound_replica", wrapped, port, log_dir, args=(address, package))
        self.address, self.package = address, package
        self.log_path = log_dir / f"{package}-{address}.log"

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def counted(self, metric: str, **labels: str) -> float:
        """The sum of this process's samples of `metric` whose labels include `labels`."""
        answer = httpx.get(f"{self.url}/metrics", headers=operator(), timeout=5)
        answer.raise_for_status()
        return sum(
            sample.value
            for family in text_string_to_metric_families(answer.text)
            for sample in family.samples
            if sample.name == metric and labels.items() <= sample.labels.items()
        )

    def reads(self, route: str) -> int:
        """GET requests this query-service replica answered on `route` (a route template)."""
        return int(self.counted("innkeeper_query_request_seconds_count", route=route, method="GET"))

    def accepted(self, command: str) -> int:
        """Commands this command-service replica accepted (202)."""
        return int(self.counted("innkeeper_commands_total", command=command, outcome="accepted"))


class DyingReplica:
    """Listens on `address`:`port`, reads each request's head and closes the connection unanswered: a
    replica that crashes while handling the request. Counts the requests it took, by method."""

    def __init__(self, address: str, port: int) -> None:
        self._server = socket.create_server((address, port))
        self._server.settimeout(0.1)  # to notice `close()`
        self._closed = threading.Event()
        self.taken: dict[str, int] = {}
        self._thread = threading.Thread(target=self._serve, name="dying-replica", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                head = _head(connection)
                if head:
                    method = head.split(b" ", 1)[0].decode("ascii", "replace")
                    self.taken[method] = self.taken.get(method, 0) + 1

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._server.close()


def _head(connection: socket.socket) -> bytes:
    """The request line and headers (what nginx sends before any body), or what came of them."""
    connection.settimeout(5)
    head = b""
    try:
        while b"\r\n\r\n" not in head and (chunk := connection.recv(65536)):
            head += chunk
    except OSError:
        pass
    return head
