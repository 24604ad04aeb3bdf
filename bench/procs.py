"""Process helpers: free ports, bounded waiting, stopping, and the load generator process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def brief(error: BaseException) -> str:
    """First and last line of an error (a failed process puts its log tail in the message)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [""]
    text = lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1]}"
    return f"{type(error).__name__}: {text}"[:300]


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> float:
    """Poll `condition` until true; returns the wall time it became true; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return time.time()
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f}s")


def ready(proc: subprocess.Popen[bytes], port: int, health: str | None, name: str, log_dir: Path) -> bool:
    """Listening on `port` (and `health` answers 200); raises when the process has exited."""
    if proc.poll() is not None:
        tail = (log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) != 0:
            return False
    if health is None:
        return True
    try:
        return httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def stop(proc: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def run_loadgen(spec: dict[str, Any], timeout: float = 120) -> dict[str, Any]:
    """Run `bench.loadgen` in its own process with `spec`; returns its JSON result."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        input=json.dumps(spec).encode(),
        capture_output=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr.decode(errors='replace')[-1500:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result
