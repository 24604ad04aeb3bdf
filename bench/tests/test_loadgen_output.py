"""The load generator's result reaches the bench whole, however large (a 30 s sustained step's samples
run past a pipe's 64 KiB, which a non-blocking stdout silently cut off)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIG_RESULT = """
import os, sys
from bench import loadgen

async def big(spec):
    return {"samples": ["x" * 100] * 5000}

loadgen.MODES["big"] = big
os.set_blocking(sys.stdout.fileno(), False)  # as the event loop may leave it
loadgen.main()
"""


def test_a_result_larger_than_a_pipe_arrives_whole() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", BIG_RESULT], input=b'{"mode": "big"}', capture_output=True,
                          env=env, cwd=REPO, timeout=60, check=True)  # fmt: skip
    result = json.loads(done.stdout)
    assert len(result["samples"]) == 5000
    assert result["cpu_s"] > 0
