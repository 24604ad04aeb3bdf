"""docker-compose.yml for production use: every container has CPU and memory limits, every image it pulls
is an exact release (the services' Python base too, and the observability profile's), no password has a
default (compose stops, naming it, until it is set), and tracing is off unless an endpoint is given."""

from __future__ import annotations

import re

import pytest

from ops.repo import (
    COMPOSE_FILE,
    OBSERVABILITY_IMAGES,
    OTLP_COLLECTOR_URL,
    PYTHON_SERVICES,
    ROOT,
    dockerfile,
    instructions,
    interpolations,
    is_secret,
    required,
    services,
    with_defaults,
)

EXACT_TAG = {
    # PostgreSQL's releases are major.minor; the others' major.minor.patch (a variant suffix may follow).
    "postgres": r"\d+\.\d+",
    "default": r"v?\d+\.\d+\.\d+",
}
MEMORY = re.compile(r"(\d+(?:\.\d+)?)([kmg])b?", re.IGNORECASE)
UNITS = {"k": 2**10, "m": 2**20, "g": 2**30}


def memory_bytes(text: str) -> int:
    found = MEMORY.fullmatch(str(text))
    assert found, f"{text!r} is not a memory size"
    return int(float(found.group(1)) * UNITS[found.group(2).lower()])


@pytest.mark.parametrize("name", sorted(services()))
def test_every_service_has_cpu_and_memory_limits(name: str) -> None:
    limits = services()[name].get("deploy", {}).get("resources", {}).get("limits", {})
    assert 0 < float(limits.get("cpus", 0)) <= 4, f"{name}: no CPU limit"
    assert 64 * 2**20 <= memory_bytes(limits.get("memory", "0m")) <= 8 * 2**30, f"{name}: no memory limit"


@pytest.mark.parametrize("name", sorted(services()))
def test_every_pulled_image_is_an_exact_release(name: str) -> None:
    service = services()[name]
    if "build" in service:  # built here from the repository; tagged by INNKEEPER_TAG
        assert service["image"].startswith("innkeeper/")
        return
    repository, _, tag = service["image"].partition("@")[0].rpartition(":")
    assert repository, f"{name}: {service['image']} has no tag"
    pattern = EXACT_TAG.get(repository.rsplit("/", 1)[-1], EXACT_TAG["default"])
    assert re.fullmatch(rf"{pattern}(-[a-z0-9]+)*", tag), f"{name}: {tag!r} floats; pin the exact release"


@pytest.mark.parametrize("service", sorted(PYTHON_SERVICES))
def test_every_service_image_is_built_on_an_exact_python_release(service: str) -> None:
    steps = instructions(dockerfile(service))
    [base] = [
        arguments.split("=", 1)[1] for name, arguments in steps if arguments.startswith("PYTHON_IMAGE=")
    ]
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-[a-z]+", base), f"{service}: {base} floats"
    assert {argument.split()[0] for name, argument in steps if name == "FROM"} == {"${PYTHON_IMAGE}"}


def test_no_password_has_a_default_and_compose_names_the_missing_one() -> None:
    text = COMPOSE_FILE.read_text()
    secrets = {name for name, _ in interpolations(text) if is_secret(name)}
    assert secrets >= {"POSTGRES_PASSWORD", "MONGO_PASSWORD", "RABBITMQ_COMMAND_SERVICE_PASSWORD"}
    messages = required(text)
    for name in secrets:
        assert name in messages, f"{name} has a default (or may be empty): use ${{{name}:?message}}"
        assert name in messages[name], f"the message for {name} must name it"
        assert ".env" in messages[name], f"the message for {name} must say where to set it"
    assert not {name for name, default in interpolations(text) if is_secret(name) and default is not None}


def test_no_credential_is_written_into_the_compose_file() -> None:
    """Every password in a connection string or an image's settings is one of the required variables."""
    for name, service in services().items():
        for key, value in (service.get("environment") or {}).items():
            for password in re.findall(r"://[^:/@\s]+:([^@\s]*)@", str(value)):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+_PASSWORD:\?[^}]+\}", password), f"{name} {key}"
            if key.endswith("PASSWORD"):
                assert re.fullmatch(r"\$\{[A-Z0-9_]+_PASSWORD:\?[^}]+\}", str(value)), f"{name} {key}"
        assert "POSTGRES_HOST_AUTH_METHOD" not in (service.get("environment") or {}), name


def test_env_example_lists_every_password_empty() -> None:
    shown = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE))
    for name in required(COMPOSE_FILE.read_text()):
        assert shown.get(name) == "", f"{name}: .env.example shows it empty, to be filled"


def test_rabbitmq_plans_with_the_memory_of_its_container() -> None:
    settings = dict(
        line.split(" = ", 1)
        for line in (ROOT / "deploy" / "rabbitmq" / "rabbitmq.conf").read_text().splitlines()
        if line[:1].isalpha()
    )
    limit = services()["rabbitmq"]["deploy"]["resources"]["limits"]["memory"]
    assert memory_bytes(settings["total_memory_available_override_value"]) == memory_bytes(limit)


def test_the_observability_profile_runs_exact_releases_and_only_with_the_profile() -> None:
    profiled = {name for name, service in services().items() if service.get("profiles")}
    assert profiled == set(OBSERVABILITY_IMAGES)
    for name, image in OBSERVABILITY_IMAGES.items():
        assert services()[name]["image"] == image, name
        assert services()[name]["profiles"] == ["observability"], name
    # No service of the stack waits for one of them: `docker compose up` without the profile still works.
    for name, service in services().items():
        if name not in profiled:
            assert not set(service.get("depends_on") or {}) & profiled, name


@pytest.mark.parametrize("name", [*sorted(PYTHON_SERVICES), "migrate"])
def test_every_innkeeper_service_passes_the_tracing_endpoint_and_names_itself(name: str) -> None:
    """Empty unless set: tracing off by default (the kit installs nothing for an empty endpoint)."""
    environment = services()[name]["environment"]
    assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "${OTEL_EXPORTER_OTLP_ENDPOINT:-}"
    assert with_defaults(environment["OTEL_EXPORTER_OTLP_ENDPOINT"]) == ""
    assert environment["OTEL_SERVICE_NAME"] == name


def test_env_example_turns_tracing_on_towards_the_profiles_collector() -> None:
    text = (ROOT / ".env.example").read_text()
    assert re.search(r"^OTEL_EXPORTER_OTLP_ENDPOINT=$", text, re.MULTILINE), "off by default, shown empty"
    assert re.search(rf"^# OTEL_EXPORTER_OTLP_ENDPOINT={re.escape(OTLP_COLLECTOR_URL)}$", text, re.MULTILINE)
    host, port = OTLP_COLLECTOR_URL.removeprefix("http://").split(":")
    assert port in services()[host]["expose"]  # OTLP/HTTP, inside the compose network
    assert not services()[host].get("ports"), "the collector takes spans from the network only"


def test_jaegers_ui_is_published_on_this_machine_only() -> None:
    [port] = services()["jaeger"]["ports"]
    assert with_defaults(port) == "127.0.0.1:16686:16686"
