"""Run Innkeeper's services as real processes (`python -m <package>`), as operators would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx


class ServiceProcess:
    """One service process with its own environment and log file; waits for `/healthz` on start."""

    def __init__(
        self, module: str, env: dict[str, str], port: int, log_dir: Path, args: tuple[str, ...] = ()
    ):
        self.module, self.port, self.args = module, port, args
        self.env = {**os.environ, **env, "PORT": str(port), "LOG_FORMAT": "json"}
        self.log_path = log_dir / f"{module}-{port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> ServiceProcess:
        log = self.log_path.open("ab")
        command = [sys.executable, "-m", self.module, *self.args]
        self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.module} not healthy after {timeout}s:\n{self.logs()}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        self._signal(signal.SIGKILL)

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        self._signal(signal.SIGTERM, timeout)
        assert self.process is not None
        return self.process.returncode

    def _signal(self, signum: int, timeout: float = 30) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signum)
        self.process.wait(timeout=timeout)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
