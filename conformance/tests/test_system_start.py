"""A LocalSystem whose run_local gives up during start-up fails at once with run_local's last lines, not
after the whole start-up timeout (seen when a port was taken between choosing and binding it)."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.system_local import LocalSystem


async def test_a_run_local_that_exits_fails_the_start_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = LocalSystem("start-test")
    system.run_dir = tmp_path
    (tmp_path / "run_local.log").write_text("run_local | port(s) 50009 already in use\n")

    async def never_ready(timeout: float) -> float:  # noqa: ASYNC109
        await asyncio.sleep(3600)
        return 0.0

    monkeypatch.setattr(system, "ready_seconds", never_ready)
    system.run_local = subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])  # noqa: ASYNC220

    with pytest.raises(RuntimeError, match="run_local exited with 1") as failure:
        await asyncio.wait_for(system.until_started(), timeout=30)
    assert "already in use" in str(failure.value)
