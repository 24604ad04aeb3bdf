"""The mail catcher (scripts/mail_catcher.py) as a real process on a real port: it can be stopped and
started again on the same port (an SMTP server that is down), and read back as parsed messages."""

from __future__ import annotations

import subprocess
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType

from testkit.infra import free_port, wait_for_port

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "mail_catcher.py"


class MailCatcher:
    def __init__(self, directory: Path, log_dir: Path, port: int | None = None) -> None:
        self.directory, self.port = directory, port or free_port()
        self.log_path = log_dir / f"mail-catcher-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailCatcher:
        command = [sys.executable, str(SCRIPT), "--port", str(self.port), "--dir", str(self.directory)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def messages(self) -> list[EmailMessage]:
        """Every mail received so far, in the order received."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.directory.glob("*.eml"))]

    def __enter__(self) -> MailCatcher:
        return self.start()

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()


def text_of(message: EmailMessage) -> str:
    """The plain-text part of a mail."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return str(part.get_content())
