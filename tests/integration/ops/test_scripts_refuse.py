"""The local scripts fail fast and say why when they cannot do their job."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from testkit.infra import free_port

from ops.repo import ROOT


def test_the_demo_says_which_service_is_unreachable_and_how_to_start_it() -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    demo = subprocess.run(
        [sys.executable, "scripts/demo.py", "--command-url", closed, "--query-url", closed],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 2
    assert f"cannot reach the command service at {closed}" in demo.stderr
    assert "make run" in demo.stderr


def test_run_local_refuses_a_port_already_taken_before_starting_anything() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "COMMAND_PORT": str(port), "QUERY_PORT": str(free_port())}
        env |= {"PROJECTOR_PORT": str(free_port()), "NOTIFIER_PORT": str(free_port())}
        env |= {"MONGO_PORT": str(free_port()), "MAIL_PORT": str(free_port())}
        command = [sys.executable, "scripts/run_local.py"]
        runner = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert runner.returncode == 1
    assert f"port(s) {port} already in use" in runner.stdout
    assert "migrate" not in runner.stdout
