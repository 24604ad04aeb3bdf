"""A MongoDB stand-in of the test's own, on disk, that a test may kill, stop and restart (the shared
`mongodb_server` must stay up for the other tests)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from testkit.infra import free_port, wait_for_port


class StandIn:
    """A stand-in of its own, on disk (not `:memory:`), so it can be killed, stopped and restarted."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?retryWrites=false&directConnection=true"

    def start(self) -> None:
        executable = Path(sys.executable).parent / "secantusd-py"
        command = [str(executable), "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--storage-path", str(self.directory / "data"), "--log-level", "WARNING"]
        with (self.directory / "secantusd.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)
        if signum == signal.SIGKILL:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)
