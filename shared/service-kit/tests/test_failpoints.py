"""Failpoints: parsing, the Nth reach, once across restarts with a state dir, free and silent when unset,
and one real kill -9 in a child process."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from innkeeper_kit import failpoints
from innkeeper_kit.failpoints import (
    COMMAND_AFTER_APPEND_BEFORE_ANSWER as COMMAND,
)
from innkeeper_kit.failpoints import (
    RELAY_AFTER_PUBLISH_BEFORE_MARK as RELAY,
)


@pytest.fixture
def fired(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The failpoints that fired (recorded instead of a SIGKILL), from a clean environment."""
    monkeypatch.delenv(failpoints.ENV, raising=False)
    monkeypatch.delenv(failpoints.STATE_ENV, raising=False)
    crashes: list[str] = []
    failpoints.reset_for_tests(crash=crashes.append)
    yield crashes
    failpoints.reset_for_tests()


def test_specs_parse_with_the_first_reach_by_default() -> None:
    spec = f" {RELAY}=crash, {COMMAND}=crash@3 ,"
    assert failpoints.parse(spec) == {RELAY: 1, COMMAND: 3}
    assert failpoints.parse(f"{RELAY}:crash") == {RELAY: 1}  # the spelling
    assert failpoints.parse("") == {}


@pytest.mark.parametrize("spec", ["relay.after_publish_before_mark", f"{RELAY}=exit", f"{RELAY}=crash@0",
                                  f"{RELAY}=crash@x", f"{RELAY}=crash@"])  # fmt: skip
def test_a_malformed_spec_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="name=crash@N"):
        failpoints.parse(spec)


def test_an_unknown_name_is_refused_at_the_first_reach_naming_the_known_ones(
    fired: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(failpoints.ENV, "relay.after_publish=crash")
    with pytest.raises(ValueError, match=r"unknown failpoint 'relay\.after_publish'") as refused:
        failpoints.reach(RELAY)
    assert all(name in str(refused.value) for name in failpoints.KNOWN)
    with pytest.raises(ValueError, match="unknown failpoint"):  # refused at every reach, not only the first
        failpoints.reach(RELAY)


def test_every_known_point_says_where_it_stops() -> None:
    assert len(failpoints.KNOWN) == 4
    assert all(name.count(".") == 1 and doc.endswith(".") for name, doc in failpoints.KNOWN.items())


def test_unset_nothing_fires_and_the_environment_is_read_once(
    fired: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(100):
        failpoints.reach(RELAY)
    monkeypatch.setenv(failpoints.ENV, f"{RELAY}=crash")  # too late: read at the first reach
    failpoints.reach(RELAY)
    assert fired == []


def test_a_point_fires_at_its_nth_reach_once_and_only_itself(
    fired: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(failpoints.ENV, f"{RELAY}=crash@3")
    for _ in range(2):
        failpoints.reach(RELAY)
        failpoints.reach(COMMAND)
    assert fired == []
    failpoints.reach(RELAY)
    assert fired == [RELAY]
    for _ in range(5):
        failpoints.reach(RELAY)
    assert fired == [RELAY]


def test_with_a_state_dir_a_point_fires_once_across_restarts(
    fired: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv(failpoints.ENV, f"{RELAY}=crash,{COMMAND}=crash@2")
    monkeypatch.setenv(failpoints.STATE_ENV, str(state))
    failpoints.reach(RELAY)
    assert fired == [RELAY]
    assert (state / RELAY).is_file()
    assert not (state / COMMAND).exists()

    failpoints.reset_for_tests(crash=fired.append)  # the restarted process, same environment
    for _ in range(3):
        failpoints.reach(RELAY)
        failpoints.reach(COMMAND)
    assert fired == [RELAY, COMMAND]  # the relay's marker holds it back; the command's fires once
    assert (state / COMMAND).is_file()


def test_the_real_crash_is_a_sigkill_after_the_marker(tmp_path: Path) -> None:
    program = (
        f"from innkeeper_kit import failpoints\nfailpoints.reach({RELAY!r})\nprint('survived', flush=True)\n"
    )
    env = {failpoints.ENV: f"{RELAY}=crash", failpoints.STATE_ENV: str(tmp_path)}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=30
        )

    first = run()
    assert first.returncode == -signal.SIGKILL
    assert "survived" not in first.stdout
    assert "failpoints armed" in first.stdout + first.stderr
    assert (tmp_path / RELAY).read_text().strip().isdigit()
    again = run()
    assert again.returncode == 0
    assert again.stdout.endswith("survived\n")
