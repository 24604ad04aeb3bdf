"""Which SMTP refusals are retried: the relay's session (greeting, AUTH, MAIL FROM) always, one recipient's
or one message's only when 4xx. Against a real SMTP server on a socket (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from notifier.failures import PermanentFailureError, TemporaryFailureError
from notifier.mail import SmtpSender


class Refusing:
    """Answers MAIL FROM, RCPT TO or DATA with the scripted reply."""

    def __init__(self, stage: str, reply: str) -> None:
        self.stage, self.reply = stage, reply

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.stage == "MAIL":
            return self.reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if self.stage == "RCPT":
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return self.reply if self.stage == "DATA" else "250 OK"


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> Iterator[str]:
    stage, reply = request.param
    with socket.socket() as probe:  # a free port: aiosmtpd checks its own start by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Refusing(stage, reply), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "no-reply@innkeeper.example", "ada@example.com", "Hi"
    mail.set_content("hello")
    return mail


@pytest.mark.parametrize(
    ("smtp", "failure"),
    [
        (("MAIL", "550 5.7.1 sender not allowed"), TemporaryFailureError),  # the relay's policy: fixable
        (("RCPT", "550 5.1.1 no such user"), PermanentFailureError),
        (("RCPT", "450 4.2.1 mailbox busy"), TemporaryFailureError),
        (("DATA", "554 5.6.0 message refused"), PermanentFailureError),
        (("DATA", "451 4.3.0 try later"), TemporaryFailureError),
    ],
    indirect=["smtp"],
)
async def test_refusals_are_retried_or_not_by_who_refused(smtp: str, failure: type[Exception]) -> None:
    with pytest.raises(failure):
        await SmtpSender(smtp, timeout=5).send(message())


async def test_no_server_is_a_temporary_failure() -> None:
    with pytest.raises(TemporaryFailureError, match="unreachable"):
        await SmtpSender("smtp://127.0.0.1:9", timeout=2).send(message())
