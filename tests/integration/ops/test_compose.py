"""docker-compose.yml: valid by the official Compose schema, ordered by health, scalable, documented.

No Docker engine is needed: the file is checked against the Compose Specification JSON schema
(vendored by check-jsonschema) and against the rules that make `docker compose up --scale` work.
"""

from __future__ import annotations

import importlib
import json
import re

import pytest

from ops.repo import (
    COMPOSE_FILE,
    INFRASTRUCTURE_IMAGES,
    NEEDS,
    PORTS,
    PYTHON_SERVICES,
    ROOT,
    compose,
    compose_schema,
    documented_variables,
    interpolations,
    is_secret,
    services,
    with_defaults,
)

HEALTHY_OR_DONE = {"service_healthy", "service_completed_successfully"}
BUILT = sorted(name for name, service in services().items() if "build" in service)


def test_the_compose_file_is_valid_by_the_compose_specification_schema() -> None:
    schema = compose_schema()
    import jsonschema  # type: ignore[import-untyped]  # installed with check-jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(compose())
    ]
    assert errors == []
    assert "version" not in compose(), "the Compose Specification has no `version:` key"


def test_the_stack_has_the_infrastructure_the_proxy_and_every_service() -> None:
    assert {name: services()[name].get("image") for name in INFRASTRUCTURE_IMAGES} == INFRASTRUCTURE_IMAGES
    assert set(PYTHON_SERVICES) | {"migrate"} == set(BUILT)


@pytest.mark.parametrize("name", sorted(NEEDS))
def test_a_service_waits_until_what_it_needs_is_healthy(name: str) -> None:
    depends_on = services()[name].get("depends_on", {})
    assert isinstance(depends_on, dict), "long form: depends_on with a condition per service"
    assert set(depends_on) == NEEDS[name]
    for needed, rule in depends_on.items():
        assert rule["condition"] in HEALTHY_OR_DONE, f"{name} → {needed}"
        if rule["condition"] == "service_healthy":
            assert "healthcheck" in services()[needed], f"{needed} has no healthcheck to wait for"
        else:
            assert services()[needed].get("restart") == "no", f"{needed} is a one-shot job"


@pytest.mark.parametrize("name", BUILT)
def test_a_built_service_can_be_scaled(name: str) -> None:
    service = services()[name]
    assert "container_name" not in service
    assert "ports" not in service, "replicas would fight over a fixed host port: publish through the proxy"
    assert service["build"]["context"] == "."
    assert (ROOT / service["build"]["dockerfile"]).is_file()


@pytest.mark.parametrize("name", sorted(PYTHON_SERVICES))
def test_a_python_service_listens_where_the_proxy_looks_and_reports_readiness(name: str) -> None:
    service = services()[name]
    assert service["environment"]["PORT"] == str(PORTS[name])
    assert service["expose"] == [str(PORTS[name])]
    assert service["build"]["dockerfile"] == f"services/{name}/Dockerfile"
    probe = " ".join(service["healthcheck"]["test"])
    assert probe.startswith("CMD python -c")
    assert "/readyz" in probe


@pytest.mark.parametrize("name", [*sorted(PYTHON_SERVICES), "migrate"])
def test_a_service_gets_its_connections_from_compose_not_from_the_shell(name: str) -> None:
    environment = services()[name]["environment"]
    # `make` exports POSTGRES_DSN / RABBITMQ_URL for local runs: inherited, they would point at 127.0.0.1.
    # Only the services that use PostgreSQL get a DSN, each with its own role (test_postgres_roles).
    assert environment.get("POSTGRES_DSN", "@postgres:5432/${POSTGRES_DB:-innkeeper}").endswith(
        "@postgres:5432/${POSTGRES_DB:-innkeeper}"
    )
    # Only the services that use RabbitMQ get a URL, each with its own user (test_rabbitmq_definitions).
    assert "@rabbitmq:5672/" in environment.get("RABBITMQ_URL", "@rabbitmq:5672/")
    # Only the services that use MongoDB get a URL, each with its own user (test_mongo_users).
    assert "@mongo:27017/" in environment.get("MONGODB_URL", "@mongo:27017/")
    for key in ("POSTGRES_DSN", "RABBITMQ_URL", "MONGODB_URL"):
        assert f"${{{key}" not in environment.get(key, "")


def test_only_the_proxy_and_the_infrastructure_publish_host_ports() -> None:
    """The front door for everyone; the infrastructure's and Jaeger's UIs on this machine only."""
    publishing = {name for name, service in services().items() if service.get("ports")}
    assert publishing == set(INFRASTRUCTURE_IMAGES) | {"jaeger"}
    proxy_ports = [port.rsplit(":", 1)[1] for port in services()["proxy"]["ports"]]
    assert sorted(proxy_ports) == sorted(str(port) for port in PORTS.values())
    for name in publishing - {"proxy"}:
        assert all(port.startswith("127.0.0.1:") for port in services()[name]["ports"]), name


def test_every_interpolated_variable_but_a_password_has_a_default_and_is_in_env_example() -> None:
    text = COMPOSE_FILE.read_text()
    found = interpolations(text)
    assert found, "the compose file takes its settings from variables"
    # Passwords have none on purpose: compose stops and names them (test_compose_production).
    assert [name for name, default in found if default is None and not is_secret(name)] == []
    passed_through = {
        key
        for service in services().values()
        for key, value in (service.get("environment") or {}).items()
        if value is None
    }
    assert {name for name, _ in found} | passed_through <= documented_variables()


def test_env_example_shows_the_defaults_the_compose_file_uses() -> None:
    shown = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", (ROOT / ".env.example").read_text(), re.MULTILINE))
    for name, default in interpolations(COMPOSE_FILE.read_text()):
        assert shown.get(name) == ("" if default is None else default), name


def test_mounted_files_exist_and_rabbitmq_enables_the_plugins_the_system_uses() -> None:
    for service in services().values():
        for volume in service.get("volumes", []):
            source = with_defaults(volume).split(":", 1)[0]
            if source.startswith("./.run/"):  # local state, made by `make up` (the development key)
                assert f"-m innkeeper_kit.auth.dev {source[2:]}" in (ROOT / "Makefile").read_text(), source
            elif source.startswith("./"):
                assert (ROOT / source).is_file(), source
    plugins = (ROOT / "deploy" / "rabbitmq" / "enabled_plugins").read_text().strip()
    assert plugins.startswith("[")
    assert plugins.endswith("].")
    assert set(plugins[1:-2].replace(" ", "").split(",")) == {
        "rabbitmq_management",
        "rabbitmq_consistent_hash_exchange",
        "rabbitmq_prometheus",  # the queue depths the dead-letter alerts read (deploy/prometheus)
    }


def test_the_migrate_job_alone_owns_the_schema() -> None:
    assert services()["migrate"]["command"] == ["python", "-m", "command_service", "migrate"]
    assert services()["migrate"]["image"] == services()["command-service"]["image"]
    assert services()["command-service"]["environment"]["MIGRATE_ON_START"] == "false"


@pytest.mark.parametrize("name", BUILT)
def test_a_built_service_runs_read_only_without_privileges_and_rotates_its_logs(name: str) -> None:
    service = services()[name]
    assert service["read_only"] is True
    assert service["tmpfs"] == ["/tmp"]
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    assert service["logging"]["options"]["max-size"]


@pytest.mark.parametrize("name", sorted(PYTHON_SERVICES))
def test_a_python_service_accepts_the_environment_compose_gives_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every variable at its default (as with no .env): the service's own settings take the values."""
    for key, value in services()[name]["environment"].items():
        if value is None:  # passed through only when set
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, with_defaults(str(value)))
    settings = importlib.import_module(f"{PYTHON_SERVICES[name]}.settings").Settings()
    assert settings.port == PORTS[name]


def test_the_notifier_mails_through_mailpit_inside_the_network_and_subscribes_no_webhook_by_default() -> None:
    notifier, mailpit = services()["notifier"], services()["mailpit"]
    assert notifier["environment"]["SMTP_URL"] == "smtp://mailpit:1025"
    assert json.loads(with_defaults(notifier["environment"]["WEBHOOK_SUBSCRIBERS"])) == []
    assert "@" in with_defaults(notifier["environment"]["MAIL_FROM"])
    # The web UI on the host's loopback only; SMTP (1025) stays inside the compose network.
    assert [with_defaults(port) for port in mailpit["ports"]] == ["127.0.0.1:8025:8025"]
    assert mailpit["healthcheck"]["test"] == ["CMD", "/mailpit", "readyz"]
