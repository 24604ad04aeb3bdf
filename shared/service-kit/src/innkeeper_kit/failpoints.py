"""Deterministic failpoints, for tests only: kill -9 this process at a named point of a crash window.

`INNKEEPER_FAILPOINTS` arms points, comma-separated: `name=crash` (the 1st time the point is reached in
this process) or `name=crash@N` (the Nth time). `INNKEEPER_FAILPOINTS_STATE=<dir>` makes each point fire
once across restarts: before firing it creates `<dir>/<name>` (fsync'd), and a point whose file exists
never fires, so a process restarted by its supervisor with the same environment runs normally.

Unset, `reach` costs a global read and a lookup in an empty dict: the variable is read once, at the first
reach (or `load()`), never at import. A bad spec raises ValueError naming the known points.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import structlog

RELAY_AFTER_PUBLISH_BEFORE_MARK = "relay.after_publish_before_mark"
PROJECTOR_AFTER_WRITE_BEFORE_ACK = "projector.after_write_before_ack"
COMMAND_AFTER_APPEND_BEFORE_ANSWER = "command.after_append_before_answer"
NOTIFIER_AFTER_SEND_BEFORE_RECORD = "notifier.after_send_before_record"

KNOWN: dict[str, str] = {
    RELAY_AFTER_PUBLISH_BEFORE_MARK: "Relay: the broker confirmed a batch; its outbox rows not deleted yet.",
    PROJECTOR_AFTER_WRITE_BEFORE_ACK: "Projector: a batch written to the read store; not acked yet.",
    COMMAND_AFTER_APPEND_BEFORE_ANSWER: "Command service: events and answer committed; not answered yet.",
    NOTIFIER_AFTER_SEND_BEFORE_RECORD: "Notifier: a mail or webhook went out; its delivery not recorded yet.",
}
"""Every failpoint, with where it stops the process."""

ENV, STATE_ENV = "INNKEEPER_FAILPOINTS", "INNKEEPER_FAILPOINTS_STATE"

log = structlog.get_logger("innkeeper_kit.failpoints")


def _sigkill(name: str) -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # exactly kill -9: no handler, no flush, no cleanup


_armed: dict[str, int] | None = None
"""Name -> the reach that fires it; None until the environment is read."""
_reached: dict[str, int] = {}
_state_dir: Path | None = None
_crash: Callable[[str], None] = _sigkill


def reach(name: str) -> None:
    """The process is at failpoint `name`: crash here if it is armed and this is its turn."""
    armed = _armed if _armed is not None else load()
    if name in armed:
        _count(name, armed)


def load() -> dict[str, int]:
    """Read the environment now (a startup may call it to refuse a bad spec before serving); returns the
    armed points with the reach that fires each. Raises ValueError for a malformed spec or an unknown name."""
    global _armed, _state_dir
    if _armed is None:
        armed = parse(os.environ.get(ENV, ""))
        state = os.environ.get(STATE_ENV, "")
        _state_dir = Path(state) if state else None
        if armed:
            # Name -> reach as a field: a `crash@N` in the message would read as an e-mail to the redaction.
            log.warning("failpoints armed (testing only)", failpoints=armed, state_dir=state or None)
        _armed = armed
    return _armed


def parse(spec: str) -> dict[str, int]:
    """`name=crash[@N],...` -> {name: N}; `name:crash` is taken too. Raises ValueError when malformed."""
    armed: dict[str, int] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, separator, action = item.replace(":", "=", 1).partition("=")
        name, action = name.strip(), action.strip()
        if name not in KNOWN:
            raise ValueError(f"{ENV}: unknown failpoint {name!r}; known: {', '.join(KNOWN)}")
        what, at, nth = action.partition("@")
        nth = nth if at else "1"
        if not separator or what != "crash" or not nth.isdigit() or int(nth) < 1:
            raise ValueError(f"{ENV}: {item!r} is not `name=crash` or `name=crash@N` (N >= 1)")
        armed[name] = int(nth)
    return armed


def _count(name: str, armed: dict[str, int]) -> None:
    reached = _reached[name] = _reached.get(name, 0) + 1
    if reached < armed[name]:
        return
    del armed[name]  # fires once per process, whatever comes of it
    if _state_dir is not None and not _claim(_state_dir / name):
        return
    log.warning("failpoint firing: SIGKILL (testing only)", failpoint=name, reached=reached)
    _crash(name)


def _claim(marker: Path) -> bool:
    """Create `marker` durably; False when it exists already (the point fired before a restart)."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    try:
        os.write(descriptor, f"{os.getpid()}\n".encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    directory = os.open(marker.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name survives too, not only the contents
    finally:
        os.close(directory)
    return True


def reset_for_tests(crash: Callable[[str], None] | None = None) -> None:
    """Forget what was read and counted (the environment is read again at the next reach); `crash`
    replaces the SIGKILL, so a unit test survives a firing."""
    global _armed, _state_dir, _crash
    _armed, _state_dir, _crash = None, None, crash or _sigkill
    _reached.clear()
