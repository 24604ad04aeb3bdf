"""Who used the two cores during a phase: CPU seconds per component, read from /proc.

On a 2-core machine the load generator, PostgreSQL, RabbitMQ, the store and the services all compete;
this accounting shows where the CPU went, so a figure can be read as "bound by X".
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
OWN: dict[int, str] = {}
"""Processes this bench started, by pid (filled by `Infra.process`)."""
SHARED = (("beam.smp", "RabbitMQ (whole broker)"), ("postgres: walwriter", "PostgreSQL WAL writer"))


@contextmanager
def labelled(names: dict[int, str]) -> Iterator[None]:
    """Processes named apart while inside (replicas of one service share a name otherwise)."""
    before = {pid: OWN.get(pid) for pid in names}
    OWN.update(names)
    try:
        yield
    finally:
        for pid, name in before.items():
            if name is None:
                OWN.pop(pid, None)
            else:
                OWN[pid] = name


def _group(pid: str) -> str:
    """This bench's processes by name; PostgreSQL backends of bench_* databases; the rest is `other`."""
    if int(pid) in OWN:
        return OWN[int(pid)]
    if int(pid) == os.getpid():
        return "bench orchestrator (+peer threads)"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    if command.startswith("postgres: ") and " bench_" in command:
        return "PostgreSQL (bench backends)"
    return next((name for marker, name in SHARED if marker in command), "other (not this bench)")


def _ticks() -> dict[str, tuple[str, int]]:
    seen = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        # utime + stime (fields 14, 15); a process that exits inside the phase is lost, so the load
        # generator reports its own CPU time instead.
        seen[entry.name] = (_group(entry.name), int(fields[11]) + int(fields[12]))
    return seen


@dataclass
class CpuMeter:
    """Start with `CpuMeter.start()`; `stop()` gives CPU seconds and share of all cores per group."""

    before: dict[str, tuple[str, int]]
    started: float
    seconds: dict[str, float] = field(default_factory=dict)
    """CPU seconds per group, after `stop()`."""

    @classmethod
    def start(cls) -> CpuMeter:
        return cls(_ticks(), time.monotonic())

    def stop(self, load_cpu_s: float = 0.0) -> dict[str, float]:
        """Share of all cores per group; `load_cpu_s` = the CPU the (exited) load generator reported."""
        after, wall = _ticks(), time.monotonic() - self.started
        used = Counter[str]({"load generator": round(load_cpu_s * TICKS)})
        for pid, (group, ticks) in after.items():
            used[group] += ticks - self.before.get(pid, (group, 0))[1]
        self.seconds = {group: ticks / TICKS for group, ticks in used.items()}
        capacity = wall * (os.cpu_count() or 1)
        return {group: round(ticks / TICKS / capacity, 3) for group, ticks in used.most_common() if ticks > 0}
