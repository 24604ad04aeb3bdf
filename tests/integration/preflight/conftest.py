"""Run a service's (or a make target's) real command with one prerequisite deliberately missing."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from testkit.auth import pii_master_keys

ROOT = Path(__file__).resolve().parents[3]
PREFLIGHT_EXIT = 4


@dataclass(frozen=True)
class Stopped:
    code: int
    stdout: str
    stderr: str

    def one_line(self) -> str:
        """The preflight's line: exit 4, exactly one line on stderr, no traceback anywhere."""
        assert self.code == PREFLIGHT_EXIT, (self.code, self.stdout, self.stderr)
        assert "Traceback" not in self.stdout + self.stderr
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert " — " in lines[0]  # what is missing — the command that fixes it
        return lines[0]


def run(command: list[str], env: dict[str, str], limit: float = 60) -> Stopped:
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "LOG_FORMAT": "json", **env},
        capture_output=True,
        text=True,
        timeout=limit,
        check=False,
    )
    return Stopped(done.returncode, done.stdout, done.stderr)


def module(name: str, *args: str, base: dict[str, str] | None = None, **env: str) -> Stopped:
    """`python -m <name> <args>` with the environment `base`, `env` overriding it."""
    return run([sys.executable, "-m", name, *args], {**(base or {}), **env})


@pytest.fixture
def infrastructure(postgres_server: str, rabbitmq_server: str, mongodb_server: str) -> dict[str, str]:
    """This machine's servers, every one there, and the master key of personal data (each test takes one
    thing away)."""
    servers = {
        "POSTGRES_DSN": postgres_server,
        "RABBITMQ_URL": rabbitmq_server,
        "MONGODB_URL": mongodb_server,
    }
    return {**servers, "PII_MASTER_KEYS": pii_master_keys()}
