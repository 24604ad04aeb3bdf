"""Configuration: every setting of every service is listed in .env.example, and a wrong value stops the
real process at once with exit code 2 and one line naming the variable (not a traceback)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from command_service.settings import Settings as CommandSettings
from notifier.settings import Settings as NotifierSettings
from projector.settings import Settings as ProjectorSettings
from query_service.settings import Settings as QuerySettings

ROOT = Path(__file__).resolve().parents[3]
SETTINGS: dict[str, type[BaseSettings]] = {
    "command_service": CommandSettings,
    "projector": ProjectorSettings,
    "query_service": QuerySettings,
    "notifier": NotifierSettings,
}


def test_every_setting_of_every_service_is_listed_in_env_example() -> None:
    listed = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", (ROOT / ".env.example").read_text()))
    missing = {
        f"{package}: {name.upper()}"
        for package, settings in SETTINGS.items()
        for name in settings.model_fields
        if name.upper() not in listed
    }
    assert missing == set()


@pytest.mark.parametrize(("package", "variable", "value"), [
    ("command_service", "RELAY_BATCH_SIZE", "lots"),
    ("projector", "PROJECTOR_SHARDS", "0"),
    ("query_service", "LOG_LEVEL", "LOUD"),
    ("notifier", "WEBHOOK_SUBSCRIBERS", '[{"name": "payments"}]'),
])  # fmt: skip
def test_a_wrong_value_stops_the_process_with_one_line_and_exit_code_2(
    package: str, variable: str, value: str
) -> None:
    env = {**os.environ, variable: value}
    done = subprocess.run(
        [sys.executable, "-m", package], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert variable in done.stderr
    assert "Traceback" not in done.stderr
