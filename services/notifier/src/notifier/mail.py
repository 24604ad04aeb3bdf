"""Mails: composed from the templates in `templates/` (plain text and HTML), sent over SMTP.

Every mail's `Message-ID` is derived from its event id, so a mail sent twice (a crash between the send
and its record) carries the same id both times and a receiver can drop the second.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from innkeeper_contracts import Money

from .deliveries import Delivery
from .failures import PermanentFailureError, TemporaryFailureError

POLICIES = {"full": "a full refund", "half": "half of the price back", "none": "no refund"}


def _money(value: Money | None) -> str:
    return "" if value is None else f"{value.amount:,.2f} {value.currency}"


def _day(value: date | None) -> str:
    return "" if value is None else value.strftime("%A %d %B %Y")


class MailComposer:
    """Renders a delivery's template into a multipart (text + HTML) message."""

    def __init__(self, sender: str, domain: str) -> None:
        self.sender, self.domain = sender, domain
        self.templates = Environment(
            loader=PackageLoader("notifier", "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,  # a template naming a field the event lacks fails loudly, in tests
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.templates.filters.update(money=_money, day=_day, policy=POLICIES.get)

    def compose(self, delivery: Delivery) -> EmailMessage:
        envelope = delivery.envelope
        context: dict[str, Any] = {"event": envelope.event(), "envelope": envelope}
        render = self.templates.get_template
        message = EmailMessage()
        message["Subject"] = render(f"{delivery.template}.subject.txt").render(context).strip()
        message["From"] = self.sender
        message["To"] = delivery.recipient
        message["Date"] = format_datetime(envelope.occurred_at)
        message["Message-ID"] = f"<{envelope.event_id}@{self.domain}>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to this
        message["X-Correlation-Id"] = envelope.correlation_id
        message.set_content(render(f"{delivery.template}.txt").render(context))
        message.add_alternative(render(f"{delivery.template}.html").render(context), subtype="html")
        return message


class SmtpSender:
    """Sends one message per connection attempt; SMTP 4xx and network trouble are temporary, 5xx is not."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.options: dict[str, Any] = {
            "hostname": parts.hostname,
            "port": parts.port or {"smtps": 465, "smtp+starttls": 587}.get(parts.scheme, 25),
            "use_tls": parts.scheme == "smtps",
            "start_tls": True if parts.scheme == "smtp+starttls" else None,  # None: when offered
            "username": unquote(parts.username) if parts.username else None,
            "password": unquote(parts.password) if parts.password else None,
            "timeout": timeout,
        }

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(message, **self.options)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [refusal.code for refusal in error.recipients]
            reason = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
            if all(400 <= code < 500 for code in codes):
                raise TemporaryFailureError(f"SMTP recipient refused for now: {reason}") from error
            raise PermanentFailureError(f"SMTP recipient refused: {reason}") from error
        except (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError) as error:
            reason = f"SMTP {error.code} {error.message}"  # this message or recipient: 5xx is final
            if 400 <= error.code < 500:
                raise TemporaryFailureError(reason) from error
            raise PermanentFailureError(reason) from error
        except aiosmtplib.SMTPResponseException as error:
            # The session's (greeting, HELO, AUTH, MAIL FROM): the relay or our settings, not this mail.
            # Retried, so that fixing the relay's password or policy sends every waiting mail.
            raise TemporaryFailureError(
                f"SMTP relay refused the session: {error.code} {error.message}"
            ) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            reason = f"SMTP server unreachable: {type(error).__name__}: {error}"
            raise TemporaryFailureError(reason) from error


class MailChannel:
    """The `mail` channel: compose, then send."""

    def __init__(self, composer: MailComposer, smtp: SmtpSender) -> None:
        self.composer, self.smtp = composer, smtp

    async def send(self, delivery: Delivery) -> None:
        await self.smtp.send(self.composer.compose(delivery))
