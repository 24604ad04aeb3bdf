"""`python -m command_service dead-letters list|show|retry|discard`: the command intake's dead letters.

`retry` publishes each message again to `innkeeper.commands` (with confirms, mandatory) and acks its dead
letter only after the broker confirmed the new one: a crash in between leaves both, and the intake's
idempotency (the same `message_id` from the same sender) applies the command once. The sender's
`user_id` goes with it, so the broker user of RABBITMQ_URL must be that sender or an `impersonator`.
Each action reads the queue as `dead_letter_queue` says.
"""

from __future__ import annotations

import json

import structlog
from aio_pika.abc import AbstractExchange
from aiormq.exceptions import ChannelPreconditionFailed
from pamqp.commands import Basic

from command_service.cli.dead_letter_message import DeadLetter
from command_service.cli.dead_letter_queue import Held, opened
from command_service.settings import Settings
from innkeeper_contracts.topology import COMMANDS_EXCHANGE

log = structlog.get_logger("command_service.dead_letters")


async def list_letters(settings: Settings) -> int:
    """One line per dead letter, oldest first; nothing is taken off the queue."""
    count = 0
    async with opened(settings) as letters:
        async for _, letter in letters.letters():
            print(letter.line())
            count += 1
    print(f"{count} dead letters")
    return 0


async def show(settings: Settings, selectors: list[str]) -> int:
    """The whole of each named dead letter as JSON (guest personal data masked)."""
    async with opened(settings) as letters:
        held = await letters.chosen(selectors)
    for _, letter in held:
        print(json.dumps(letter.detail(), indent=2, ensure_ascii=False))
    return _missing(selectors, held)


async def retry(settings: Settings, selectors: list[str] | None) -> int:
    """Send the named (or all) dead letters to the intake again, each removed once its copy is confirmed."""
    retried, kept = 0, 0
    async with opened(settings) as letters:
        held = await letters.chosen(selectors)
        for message, letter in held:
            try:
                why = _unsendable(letter, settings) or await _resend(letters.commands, letter)
            except ChannelPreconditionFailed as error:  # the channel is gone: the rest would fail alike
                print(f"{letter.id}: kept, the broker refused to re-send it: {error}")
                print(
                    f"re-sending as {letter.sender!r} needs RABBITMQ_URL's user to be it or an impersonator"
                )
                kept += 1
                break
            if why:
                print(f"{letter.id}: kept, {why}")
                kept += 1
                continue
            await message.ack()
            retried += 1
            log.info("dead_letters.retried", **_logged(letter))
    print(f"retried {retried} dead letters")
    return 1 if kept else _missing(selectors, held)


def _unsendable(letter: DeadLetter, settings: Settings) -> str | None:
    """Why the intake would refuse the copy unanswered (then acked, gone): no sender, or one that
    AMQP_SENDERS (when set where the tool runs, as in the service's container) does not know."""
    if letter.sender is None:
        return "no sender known: the intake would refuse it (401); discard it"
    if settings.senders and letter.sender not in settings.senders:
        return f"{letter.sender!r} is not in AMQP_SENDERS: the intake would refuse it (403)"
    return None


async def _resend(commands: AbstractExchange, letter: DeadLetter) -> str | None:
    """None once the broker confirmed the copy; else why not (returned unroutable, or nacked)."""
    confirmed = await commands.publish(letter.resend(), routing_key=letter.command, mandatory=True)
    if isinstance(confirmed, Basic.Ack):
        return None
    return f"{COMMANDS_EXCHANGE} did not take it (no queue for {letter.command!r}, or refused)"


async def discard(settings: Settings, selectors: list[str] | None) -> int:
    """Remove the named (or all) dead letters for good; each removal is logged (no body, no personal data)."""
    async with opened(settings) as letters:
        held = await letters.chosen(selectors)
        for message, letter in held:
            await message.ack()
            log.info("dead_letters.discarded", **_logged(letter))
    print(f"discarded {len(held)} dead letters")
    return _missing(selectors, held)


def _missing(selectors: list[str] | None, held: Held) -> int:
    """1 when a named dead letter was not there (the sibling tools' convention), else 0."""
    missing = [s for s in selectors or [] if not any(letter.matches(s) for _, letter in held)]
    for selector in missing:
        print(f"{selector}: no such dead letter")
    return 1 if missing else 0


def _logged(letter: DeadLetter) -> dict[str, object]:
    return {
        "dead_letter": letter.id,
        "command": letter.command,
        "message_id": letter.properties.get("message_id"),
        "sender": letter.sender,
        "reason": letter.reason,
        "size": len(letter.body),
    }
