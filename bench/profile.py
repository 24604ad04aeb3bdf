"""Optional sampling profiles of the services while they are under load (`BENCH_PROFILE=1 make bench`).

py-spy attaches from outside (no code change in the services), samples at 100 Hz and writes collapsed
stacks; `summarise` turns them into the functions that hold the CPU (self) and the service functions
whose calls take the time (inclusive). Off by default: it takes a little CPU from the measured run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ENABLED = os.environ.get("BENCH_PROFILE", "") not in ("", "0")


def py_spy() -> str | None:
    return shutil.which("py-spy") or (str(Path(sys.executable).parent / "py-spy") if ENABLED else None)


class Profile:
    """py-spy recording one process for `seconds`; `finish()` waits and summarises."""

    def __init__(self, pid: int, name: str, seconds: float, log_dir: Path) -> None:
        stem = f"profile-{name}-{int(time.time() * 1000) % 100_000}"
        self.raw, self.summary = log_dir / f"{stem}.txt", log_dir / f"{stem}-summary.txt"
        self.proc: subprocess.Popen[bytes] | None = None
        executable = py_spy()
        if ENABLED and pid > 0 and executable and Path(executable).exists():
            command = [executable, "record", "--pid", str(pid), "--duration", str(int(seconds)),
                       "--rate", "100", "--format", "raw", "--output", str(self.raw),
                       "--nonblocking", "--full-filenames"]  # fmt: skip
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @classmethod
    def off(cls) -> Profile:
        return cls(-1, "off", 0, Path("/nonexistent"))

    def finish(self) -> str | None:
        """Path of the summary, or None when not profiling."""
        if self.proc is None:
            return None
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if not self.raw.exists():
            return None
        self.summary.write_text(summarise(self.raw.read_text()))
        return str(self.summary)


def summarise(collapsed: str, top: int = 25) -> str:
    own, inclusive, total = Counter[str](), Counter[str](), 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), stack.split(";")
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            if "/services/" in frame or "/shared/" in frame:
                inclusive[frame] += count
    lines = [f"{total} samples", "", "self time (leaf frames):"]
    lines += [f"  {100 * n / max(total, 1):5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines += ["", "inclusive time in Innkeeper code:"]
    lines += [f"  {100 * n / max(total, 1):5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"
