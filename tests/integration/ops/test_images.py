"""The services' Dockerfiles and build context: small, multi-stage, non-root, pinned, no test tooling."""

from __future__ import annotations

import json
import re
import tomllib
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from ops.dockerignore import context_files, excluded, parse
from ops.repo import PORTS, PYTHON_SERVICES, ROOT, dockerfile, instructions

RULES = parse((ROOT / ".dockerignore").read_text())
SERVICES = sorted(PYTHON_SERVICES)
PYTHON_BASE = "python:3.11.14-slim-bookworm"
"""An exact Python release on an exact Debian release: a rebuild gets the same base (security updates
come as a reviewed change of this tag)."""


def _last(steps: list[tuple[str, str]], keyword: str) -> str:
    return [arguments for name, arguments in steps if name == keyword][-1]


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_is_multi_stage_slim_and_runs_the_service_as_a_non_root_user(service: str) -> None:
    steps = instructions(dockerfile(service))
    assert f"ARG PYTHON_IMAGE={PYTHON_BASE}" in {f"{name} {arguments}" for name, arguments in steps}
    stages = [arguments for name, arguments in steps if name == "FROM"]
    assert stages == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE} AS runtime"]
    runtime = steps[[name for name, _ in steps].index("FROM", 2) :]
    user = _last(runtime, "USER").split(":")[0]
    assert user not in {"root", "0", ""}
    assert json.loads(_last(runtime, "CMD")) == ["python", "-m", PYTHON_SERVICES[service]]
    assert _last(runtime, "EXPOSE") == str(PORTS[service])
    environment = " ".join(arguments for name, arguments in runtime if name == "ENV")
    assert "PYTHONUNBUFFERED=1" in environment
    assert f"PORT={PORTS[service]}" in environment
    healthcheck = _last(runtime, "HEALTHCHECK")
    assert "/readyz" in healthcheck
    assert "CMD" in healthcheck
    assert "COPY --from=build /opt/venv /opt/venv" in {f"{name} {arguments}" for name, arguments in runtime}


@pytest.mark.parametrize("service", SERVICES)
def test_the_build_installs_wheels_of_the_contracts_the_kit_and_the_service_with_the_pinned_constraints(
    service: str,
) -> None:
    runs = " ".join(arguments for name, arguments in instructions(dockerfile(service)) if name == "RUN")
    packages = f"./shared/contracts ./shared/service-kit ./services/{service}"
    assert f"pip wheel --no-deps --wheel-dir /wheels {packages}" in runs
    assert "pip install -c constraints.txt /wheels/*.whl" in runs
    assert "secantus" not in dockerfile(service).lower()


@pytest.mark.parametrize("service", SERVICES)
def test_every_copied_path_is_in_the_build_context(service: str) -> None:
    for name, arguments in instructions(dockerfile(service)):
        if name == "COPY" and not arguments.startswith("--from"):
            source = arguments.split()[0].rstrip("/")
            if (ROOT / source).is_file():
                assert not excluded(RULES, source), source
            else:
                files = context_files(ROOT / source, [])
                sent = [path for path in files if not excluded(RULES, f"{source}/{path}")]
                assert sent, f"nothing of {source} reaches the build"


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        ".env",
        ".run/mongo/WiredTiger",
        "tests/integration/conftest.py",
        "services/projector/tests/test_anything.py",
        "services/notifier/tests/test_anything.py",
        "scripts/mail_catcher.py",
        "services/query-service/src/query_service/__pycache__/app.cpython-311.pyc",
        "services/command-service/src/innkeeper_command_service.egg-info/PKG-INFO",
        "shared/contracts/tests/schemas/Money.json",
        ".mypy_cache/3.11/cache.db",
        "bench/run.py",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert excluded(RULES, path)


@pytest.mark.parametrize(
    "path",
    [
        "constraints.txt",
        "shared/contracts/pyproject.toml",
        "shared/contracts/src/innkeeper_contracts/events.py",
        "services/command-service/pyproject.toml",
        "services/command-service/src/command_service/migrations/0001_initial.sql",
        "services/query-service/src/query_service/__main__.py",
        "services/notifier/pyproject.toml",
        "services/notifier/src/notifier/schema.sql",
        "services/notifier/src/notifier/templates/booking_cancelled.html",
        "services/notifier/src/notifier/templates/booking_cancelled.subject.txt",
    ],
)
def test_the_build_context_keeps(path: str) -> None:
    assert not excluded(RULES, path)


def _closure(name: str, extras: frozenset[str] = frozenset(), seen: set[str] | None = None) -> set[str]:
    """Distribution names installed for `name[extras]` (as resolved in this environment)."""
    seen = set() if seen is None else seen
    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return seen
    seen.add(key)
    for line in metadata.requires(name) or []:
        requirement = Requirement(line)
        environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        if requirement.marker is None or any(requirement.marker.evaluate(env) for env in environments):
            _closure(requirement.name, frozenset(requirement.extras), seen)
    return seen


@pytest.mark.parametrize("service", SERVICES)
def test_no_image_contains_the_mongodb_stand_in_or_the_mail_catcher(service: str) -> None:
    project = tomllib.loads((ROOT / "services" / service / "pyproject.toml").read_text())["project"]
    installed = _closure(project["name"])
    assert "innkeeper-contracts" in installed
    assert "pydantic" in installed
    # Test and development tools stay out; aiosmtpd is `make run`'s mail catcher.
    assert not {"secantusdb", "pytest", "testcontainers", "aiosmtpd"} & installed
