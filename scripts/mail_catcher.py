#!/usr/bin/env python3
"""A local SMTP server that keeps every mail it receives as one `.eml` file (`make run`, the tests).

    python scripts/mail_catcher.py [--host 127.0.0.1] [--port 1025] [--dir .run/mail]

Files are named `<receive time in ns>-<count>.eml` and appear whole (written aside, then renamed), so a
reader never sees half a mail. It accepts any sender and recipient and delivers nothing onwards: a
development catcher, like Mailpit under docker compose. Ctrl-C or SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class KeepAsFiles:
    """The aiosmtpd handler: each received message into its own file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        name = f"{time.time_ns()}-{next(self.counter):06d}.eml"
        aside = self.directory / f".{name}.part"
        aside.write_bytes(envelope.original_content or envelope.content)
        os.replace(aside, self.directory / name)
        return "250 Message accepted for delivery"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--host", default=os.environ.get("MAIL_CATCHER_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_CATCHER_PORT", "1025")))
    parser.add_argument("--dir", type=Path, default=Path(os.environ.get("MAIL_DIR", ".run/mail")))
    arguments = parser.parse_args()
    arguments.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(KeepAsFiles(arguments.dir), hostname=arguments.host, port=arguments.port)
    controller.start()
    print(f"mail catcher on {arguments.host}:{arguments.port}, mails into {arguments.dir}/", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
