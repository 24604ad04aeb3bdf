"""`make run`'s restart policy (scripts/run_children.py) on a fake clock, with small real processes."""

from __future__ import annotations

import importlib.util
import sys
import time
from types import ModuleType

import pytest

from ops.repo import ROOT


def load_run_children() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_children", ROOT / "scripts" / "run_children.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_children"] = module  # dataclasses look their module up while they are made
    spec.loader.exec_module(module)
    return module


run_children = load_run_children()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quick_failures_double_the_pause_up_to_30_s_and_a_minute_up_starts_again_at_1_s() -> None:
    backoff = run_children.Backoff()
    assert [backoff.pause(lasted=2) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.pause(lasted=60) == 1
    assert backoff.pause(lasted=59) == 2


def test_an_exited_child_is_started_again_after_its_pause_with_one_line_each_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    clock = FakeClock()
    command = [sys.executable, "-c", "raise SystemExit(3)"]
    child = run_children.Child("failing", command, {}, ROOT, clock=clock)
    first = child.process.pid
    child.process.wait()

    clock.now += 5
    child.supervise()
    assert "failing exited with 3: restarting in 1 s (restart 1)" in capsys.readouterr().out
    clock.now += 0.5
    child.supervise()  # still pausing
    assert child.process.pid == first

    clock.now += 0.5
    child.supervise()
    assert child.process.pid != first
    assert f"restarted failing (pid {child.process.pid})" in capsys.readouterr().out
    child.process.wait()
    clock.now += 1
    child.supervise()  # it failed again at once: twice the pause
    assert "failing exited with 3: restarting in 2 s (restart 2)" in capsys.readouterr().out

    run_children.stop_in_order([[child]], timeout=5)  # Ctrl-C while it waits: it stays down
    clock.now += 10
    assert child.restart_at is None
    assert child.process.returncode == 3


def test_a_running_child_is_left_alone_and_stopped_with_sigterm(capsys: pytest.CaptureFixture[str]) -> None:
    clock = FakeClock()
    command = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(60)"]
    child = run_children.Child("sleeper", command, {}, ROOT, clock=clock)
    out = ""
    for _ in range(300):  # its output reaches ours, its name in front
        out += capsys.readouterr().out
        if "sleeper         | up" in out:
            break
        time.sleep(0.1)
    assert "sleeper         | up" in out
    clock.now += 1000
    child.supervise()
    assert child.alive()
    assert child.restarts == 0
    run_children.stop_in_order([[child]], timeout=20)
    assert child.process.returncode == -15
    assert f"stopping sleeper (pid {child.process.pid})" in capsys.readouterr().out
