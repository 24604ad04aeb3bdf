"""A TCP forwarder a test can cut and restore: takes PostgreSQL, RabbitMQ or MongoDB "down" for one
service without touching the shared servers that other tests use."""

from __future__ import annotations

from urllib.parse import urlsplit

from conformance import system_infra
from conformance.proxy import ToxicProxy


class TcpProxy(ToxicProxy):
    """Listens on `port` and forwards every connection to 127.0.0.1:`target_port` until `cut()`: the
    conformance harness's proxy (conformance/proxy.py), which can also add latency."""

    def __init__(self, target_port: int) -> None:
        super().__init__("test", target_port)

    @property
    def target_port(self) -> int:
        return self.upstream_port

    @classmethod
    def to(cls, url: str, default_port: int) -> TcpProxy:
        """A proxy to the host:port of `url` (started with `start()`)."""
        return cls(urlsplit(url).port or default_port)


def through(url: str, proxy: TcpProxy) -> str:
    """The same URL (user, database, vhost, query) with the proxy's port on 127.0.0.1."""
    return system_infra.through(url, proxy.port)
