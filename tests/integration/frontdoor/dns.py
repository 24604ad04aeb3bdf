"""A DNS server for one test: answers A queries for the names it is told, as Docker's embedded DNS
answers a compose service's name with the address of each running replica."""

from __future__ import annotations

import socket
import struct
import threading

_NOT_FOUND = 3  # NXDOMAIN: a service with no replica


class ReplicaDns:
    """UDP on 127.0.0.1:`port`; `answer(name, addresses)` changes what a name resolves to."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.1)  # to notice `close()`
        self.port: int = self._socket.getsockname()[1]
        self._closed = threading.Event()
        self._answers: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="replica-dns", daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def answer(self, name: str, addresses: list[str]) -> None:
        with self._lock:
            self._answers[name] = list(addresses)

    def start(self) -> ReplicaDns:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                query, client = self._socket.recvfrom(512)
            except TimeoutError:
                continue
            self._socket.sendto(self._reply(query), client)

    def _reply(self, query: bytes) -> bytes:
        name, end = _question(query)
        qtype = struct.unpack("!H", query[end : end + 2])[0]
        with self._lock:
            known = name in self._answers
            addresses = self._answers.get(name, []) if qtype == 1 else []
        flags = 0x8180 | (0 if known else _NOT_FOUND)  # a response, recursion desired and available
        header = query[:2] + struct.pack("!HHHHH", flags, 1, len(addresses), 0, 0)
        records = b"".join(
            # the name as a pointer to the question's, A, IN, a TTL of 1 s (nginx's `valid` rules anyway)
            struct.pack("!HHHIH", 0xC00C, 1, 1, 1, 4) + socket.inet_aton(address)
            for address in addresses
        )
        return header + query[12 : end + 4] + records


def _question(query: bytes) -> tuple[str, int]:
    """The question's name (lower case) and where its labels end."""
    labels, offset = [], 12
    while length := query[offset]:
        labels.append(query[offset + 1 : offset + 1 + length].decode("ascii").lower())
        offset += 1 + length
    return ".".join(labels), offset + 1
