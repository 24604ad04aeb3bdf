"""How a preflight line names a server: host:port from its URL, never its password."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit


def host_port(url: str, default_port: int) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port or default_port
    except ValueError:  # an out-of-range port: say what was written
        return parts.netloc.rpartition("@")[2]
    return f"{parts.hostname or '127.0.0.1'}:{port}"


def user_of(url: str, default: str) -> str:
    return unquote(urlsplit(url).username or default)


def path_name(url: str, default: str) -> str:
    """The database (PostgreSQL, MongoDB) or vhost (RabbitMQ) the URL's path names."""
    return unquote(urlsplit(url).path.lstrip("/")) or default
