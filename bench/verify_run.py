"""`make verify` on the bench's own system at the end of the run: the live read model against a fresh
rebuild from its event log (`python -m projector verify`, with the services' environment)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

from bench.backlog import caught_up
from bench.procs import REPO
from bench.system import System

VERIFY_TIMEOUT = 600.0
DIFFERENCES = re.compile(r": (?P<count>\d+) differences$")
"""The tool's last line: `verified generation <g> against a rebuild of <n> events: <d> differences`."""


def verify_read_model(system: System) -> dict[str, Any]:
    """PASS when the tool exits 0 (no differences); its summary line and the first differences."""
    if caught_up(system, timeout=120) is None:
        return {"passed": False, "summary": "the projector had not caught up within 120 s"}
    started = time.monotonic()
    env = {**os.environ, "PYTHONPATH": str(REPO), **system.env, "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "projector", "verify"],
        env=env,
        cwd=REPO,
        capture_output=True,
        timeout=VERIFY_TIMEOUT,
        check=False,
    )
    lines = done.stdout.decode(errors="replace").splitlines()
    summary = next((line for line in reversed(lines) if line.startswith("verified ")), None)
    counted = DIFFERENCES.search(summary or "")
    result = {"passed": done.returncode == 0, "exit_code": done.returncode,
              "seconds": time.monotonic() - started, "summary": summary or done.stderr.decode()[-300:],
              "difference_count": int(counted["count"]) if counted else None,
              "differences": [line for line in lines if not line.startswith("verified ")][:5]}  # fmt: skip
    print(f"    verify: {'PASS' if result['passed'] else 'MISS'} ({result['summary']})", flush=True)
    return result
