"""The processes `make run` starts, each kept running as docker compose's `restart: unless-stopped` would.

Each child runs in a session of its own (Ctrl-C reaches only run_local.py, which stops them in order), its
output streamed to ours with its name in front. Once Innkeeper is up, a child that exits is started again
after a pause that doubles from 1 s to 30 s and falls back to 1 s once a run lasted a minute
(`Backoff`), with one line saying so; run_local.py calls `Child.supervise` a few times a second, and
`stop_in_order` on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

COLOURS = ("36", "35", "32", "33", "34", "31")
OUTPUT = threading.Lock()
"""One line at a time on our stdout, whichever thread writes it."""


def say(message: str) -> None:
    with OUTPUT:
        print(f"{'run_local':<15} | {message}", flush=True)


def _stream(name: str, pipe: IO[bytes] | None) -> None:
    if pipe is None:
        return
    colour = COLOURS[sum(map(ord, name)) % len(COLOURS)] if sys.stdout.isatty() else ""
    prefix = f"\033[{colour}m{name:<15} |\033[0m " if colour else f"{name:<15} | "
    for raw in iter(pipe.readline, b""):
        with OUTPUT:
            sys.stdout.write(prefix + raw.decode(errors="replace").rstrip("\n") + "\n")
            sys.stdout.flush()


@dataclass
class Backoff:
    """How long to wait before starting an exited process again: compose's unless-stopped policy."""

    first: float = 1.0
    limit: float = 30.0
    settled: float = 60.0
    """A run this long counts as healthy: the next pause is `first` again."""
    upcoming: float = field(init=False)

    def __post_init__(self) -> None:
        self.upcoming = self.first

    def pause(self, lasted: float) -> float:
        """Seconds to wait after a run that lasted `lasted` seconds; each quick failure doubles the next."""
        if lasted >= self.settled:
            self.upcoming = self.first
        pause, self.upcoming = self.upcoming, min(self.limit, self.upcoming * 2)
        return pause


@dataclass
class Child:
    """One process this script started (and starts again when it dies), its output streamed to ours."""

    name: str
    command: list[str]
    env: dict[str, str]
    cwd: Path
    url: str = ""
    backoff: Backoff = field(default_factory=Backoff)
    restarts: int = 0
    clock: Callable[[], float] = time.monotonic
    process: subprocess.Popen[bytes] = field(init=False)
    pump: threading.Thread = field(init=False)
    started: float = field(init=False)
    restart_at: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.start()

    def start(self) -> None:
        # A session of its own: Ctrl-C reaches only run_local.py, which then stops the children in order.
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started = self.clock()
        self.pump = threading.Thread(target=_stream, args=(self.name, self.process.stdout), daemon=True)
        self.pump.start()

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)  # its own session: reaches its children too

    def supervise(self) -> None:
        """If it exited, say so and schedule its restart; start it again once the pause is over."""
        now = self.clock()
        if self.alive():
            return
        if self.restart_at is None:
            self.signal(signal.SIGKILL)  # what it left behind in its group would hold its port or pipe
            pause = self.backoff.pause(now - self.started)
            self.restarts += 1
            self.restart_at = now + pause
            code = self.process.returncode
            say(f"{self.name} exited with {code}: restarting in {pause:g} s (restart {self.restarts})")
        elif now >= self.restart_at:
            self.pump.join(timeout=1)
            self.restart_at = None
            self.start()
            say(f"restarted {self.name} (pid {self.process.pid})")


def stop_in_order(groups: list[list[Child]], timeout: float) -> None:
    """SIGTERM each group in turn and wait for it; SIGKILL what still runs `timeout` seconds later."""
    for group in groups:
        for child in group:
            child.restart_at = None  # one waiting for its restart stays down
            if child.alive():
                say(f"stopping {child.name} (pid {child.process.pid})")
                child.signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in group:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{child.name} still runs after {timeout:.0f}s: killing it")
                child.signal(signal.SIGKILL)
                child.process.wait()
    for group in groups:
        for child in group:
            child.pump.join(timeout=2)


def listening(port: int) -> Callable[[], bool]:
    """Whether something accepts connections on 127.0.0.1:`port` (the stand-in, the catcher)."""

    def check() -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0

    return check


def healthy(url: str) -> Callable[[], bool]:
    """Whether the service at `url` answers 200 on /healthz."""

    def check() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    return check
