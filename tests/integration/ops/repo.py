"""The repository's operations files, loaded once for the packaging tests."""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"

INFRASTRUCTURE_IMAGES = {
    "postgres": "postgres:16.13",
    "rabbitmq": "rabbitmq:3.13.7-management",
    "mongo": "mongo:7.0.28",
    "mailpit": "axllent/mailpit:v1.31.2",
    "proxy": "nginx:1.27.5-alpine",
}
OBSERVABILITY_IMAGES = {
    "prometheus": "prom/prometheus:v2.53.3",
    "blackbox-exporter": "prom/blackbox-exporter:v0.25.0",
    "grafana": "grafana/grafana:11.3.0",
    "otel-collector": "otel/opentelemetry-collector-contrib:0.114.0",
    "jaeger": "jaegertracing/all-in-one:1.64.0",
}
"""The `observability` profile's services (off unless asked for) and the exact release each runs."""
OTLP_COLLECTOR_URL = "http://otel-collector:4318"
"""What .env.example tells an operator to set OTEL_EXPORTER_OTLP_ENDPOINT to, with the profile running."""
PYTHON_SERVICES = {
    "command-service": "command_service",
    "projector": "projector",
    "query-service": "query_service",
    "notifier": "notifier",
}
"""Compose service (= directory under services/) → Python package run with `python -m`."""
PORTS = {"command-service": 8001, "query-service": 8002, "projector": 8003, "notifier": 8004}
NEEDS = {
    "migrate": {"postgres"},
    "command-service": {"migrate", "postgres", "rabbitmq"},
    "projector": {"migrate", "postgres", "rabbitmq", "mongo"},
    "query-service": {"mongo"},
    "notifier": {"postgres", "rabbitmq", "mailpit"},
    "proxy": {"command-service", "query-service", "projector", "notifier"},
}
"""What each service cannot work without: it must wait for these to be healthy (or done)."""

_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Z0-9_]+)(:?[-?+])?([^}]*)\}")


@cache
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text())
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def compose_schema() -> dict[str, Any]:
    """The official Compose Specification schema, as vendored by check-jsonschema."""
    try:
        vendor = resources.files("check_jsonschema.builtin_schemas.vendor")
    except ModuleNotFoundError:
        pytest.fail("check-jsonschema (which ships the Compose schema) is missing: `make install`")
    schema: dict[str, Any] = json.loads((vendor / "compose-spec.json").read_text())
    return schema


def interpolations(text: str) -> list[tuple[str, str | None]]:
    """`${NAME:-default}` occurrences in a compose file: (name, default or None when there is none)."""
    return [(name, default if op in (":-", "-") else None) for name, op, default in _VARIABLE.findall(text)]


def required(text: str) -> dict[str, str]:
    """`${NAME:?message}` occurrences in a compose file: name → the message compose stops with."""
    return {name: message for name, op, message in _VARIABLE.findall(text) if op == ":?"}


def is_secret(name: str) -> bool:
    return name.endswith(("_PASSWORD", "_SECRET", "_MASTER_KEYS"))


def with_defaults(text: str) -> str:
    """A compose value as it is with no variable set: every `${NAME:-default}` replaced by its default."""
    return _VARIABLE.sub(lambda found: found.group(3) if found.group(2) in (":-", "-") else "", text)


def documented_variables() -> set[str]:
    """Names set (or shown commented out, `# NAME=`) in .env.example."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    return set(pattern.findall(ENV_EXAMPLE.read_text()))


def dockerfile(service: str) -> str:
    return (ROOT / "services" / service / "Dockerfile").read_text()


def instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    kept = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    joined = re.sub(r"\\\n", " ", kept)
    result = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            result.append((keyword.upper(), arguments.strip()))
    return result
