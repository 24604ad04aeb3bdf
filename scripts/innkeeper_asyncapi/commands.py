"""The command side: one intake subscriber per command (routing key = command name), the replies on
`reply_to`, and the intake's dead letters."""

from __future__ import annotations

from typing import Any

from faststream.rabbit import RabbitBroker

from command_service.adapters.amqp_topology import (
    COMMANDS_EXCHANGE_SPEC,
    DEAD_LETTER_EXCHANGE_SPEC,
    DEAD_LETTER_QUEUE_SPEC,
    intake_queue,
)
from innkeeper_contracts import COMMANDS, CommandAccepted, CommandRejected
from innkeeper_contracts.topology import COMMANDS_DEAD_LETTER_QUEUE, COMMANDS_EXCHANGE, COMMANDS_QUEUE

from . import examples
from .facts import ChannelFacts, Facts, MessageFacts, documented, summary_of

REPLIES = "replies"
DEAD_LETTERS = "commands.dead-letters"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _command(name: str) -> MessageFacts:
    example = {"name": name, "payload": examples.command_body(name)}
    return MessageFacts(
        name, f"{name} command", summary_of(COMMANDS[name]), "CommandProperties", None, [example]
    )


def _replies() -> tuple[MessageFacts, ...]:
    accepted = {"name": "accepted", "payload": examples.accepted_reply()}
    rejected = {
        "name": "noRoom",
        "summary": "No room is free on a night of the stay.",
        "payload": examples.rejected_reply(),
    }
    return (
        MessageFacts(
            "CommandAccepted",
            "Command accepted",
            summary_of(CommandAccepted),
            "ReplyProperties",
            None,
            [accepted],
        ),
        MessageFacts(
            "CommandRejected",
            "Command rejected",
            summary_of(CommandRejected),
            "ReplyProperties",
            None,
            [rejected],
        ),
    )


def _dead_letter_body() -> dict[str, Any]:
    commands = [{"$ref": f"#/components/schemas/{name}"} for name in sorted(COMMANDS)]
    anything = {"description": "Anything else: malformed JSON, an unknown command, an invalid one."}
    return {
        "title": "CommandDeadLetterBody",
        "description": "The command message's body as it was sent, whatever it was; empty when it was over "
        "AMQP_MAX_COMMAND_BYTES (the reason gives its size).",
        "anyOf": [*commands, anything],
    }


def describe(broker: RabbitBroker, facts: Facts) -> None:
    for name in sorted(COMMANDS):
        channel = f"commands.{name}"
        broker.subscriber(
            intake_queue(routing_key=name),
            COMMANDS_EXCHANGE_SPEC,
            title=channel,
            description=(
                f"`{name}` commands: published to the direct exchange `{COMMANDS_EXCHANGE}` with routing key "
                f"`{name}` and the command's JSON as body, taken from the quorum queue `{COMMANDS_QUEUE}`. "
                "Malformed, invalid or refused messages are answered and dead-lettered with the reason."
            ),
        )(documented(COMMANDS[name], "the command service's intake (`command_service.adapters.amqp_intake`)"))
        facts[channel] = ChannelFacts(
            operation=_lower_first(name),
            summary=f"Innkeeper takes {name}; with `reply_to`, it answers there.",
            tag="commands",
            messages=(_command(name),),
            replies=True,
        )
    broker.publisher(
        REPLIES,
        title=REPLIES,
        schema=CommandAccepted | CommandRejected,
        mandatory=False,  # as the intake publishes them (amqp_answers)
        description="The answer to a command message with `reply_to`: published to the default exchange "
        "with the routing key `reply_to` names, and the command's `correlation_id`.",
    )
    facts[REPLIES] = ChannelFacts("replyToCommand", "Innkeeper answers a command.", "replies", _replies())
    broker.publisher(
        DEAD_LETTER_QUEUE_SPEC,
        exchange=DEAD_LETTER_EXCHANGE_SPEC,
        title=DEAD_LETTERS,
        persist=True,
        mandatory=False,
        description=f"Refused command messages, in the queue `{COMMANDS_DEAD_LETTER_QUEUE}` (`python -m "
        "command_service dead-letters` lists, retries or discards them). Only the headers below are kept: "
        "the sender's own are not, when the intake refused the message itself.",
    )
    dead_letter = MessageFacts(
        "CommandDeadLetter",
        "Dead-lettered command",
        "A command message the intake refused, or RabbitMQ gave up delivering.",
        "DeadLetterProperties",
        "CommandDeadLetterHeaders",
        examples.command_dead_letters(),
    )
    facts[DEAD_LETTERS] = ChannelFacts(
        "deadLetterCommand",
        "Innkeeper parks a refused command.",
        "dead letters",
        (dead_letter,),
        payload=_dead_letter_body(),
    )
