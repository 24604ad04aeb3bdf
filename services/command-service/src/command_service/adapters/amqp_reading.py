"""What a command message carries, judged before the pipeline: its size, its idempotency key (the
`message_id`) and its command — or the rejection that says why it is none (then it is dead-lettered)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from command_service.application.rejections import (
    field_errors,
    invalid_command,
    is_malformed,
    malformed_message,
    too_large,
)
from innkeeper_contracts import COMMANDS, CommandRejected, Contract, FieldError
from innkeeper_kit.identifiers import ID_MAX_LENGTH, acceptable_id

_KEY_ERROR = FieldError(
    loc=["message_id"],
    msg=f"an idempotency key is 1 to {ID_MAX_LENGTH} letters, digits or `_.:-`",
    type="string_pattern_mismatch",
)


@dataclass(frozen=True)
class CommandMessage:
    """A command the pipeline may carry out."""

    command: Contract
    idempotency_key: str | None


@dataclass(frozen=True)
class Refused:
    """Why the message is no command; `keep_body` False: too large to keep in the dead letters."""

    rejection: CommandRejected
    keep_body: bool = True


def read_command(
    name: str, body: bytes, message_id: str | None, *, correlation_id: str, max_body_bytes: int
) -> CommandMessage | Refused:
    """The routing key `name` names the command; the body is refused unparsed when over the limit."""
    if len(body) > max_body_bytes:
        return Refused(
            too_large(len(body), max_body_bytes, command=name, correlation_id=correlation_id), False
        )
    if message_id and not acceptable_id(message_id):  # it would be stored and logged
        return Refused(invalid_command([_KEY_ERROR], command=name, correlation_id=correlation_id))
    model = COMMANDS.get(name)
    if model is None:
        return Refused(
            malformed_message(f"unknown command {name!r}", command=None, correlation_id=correlation_id)
        )
    try:
        return CommandMessage(model.model_validate_json(body), message_id or None)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_context=False)
        if is_malformed(errors):
            return Refused(
                malformed_message("body is not valid JSON", command=name, correlation_id=correlation_id)
            )
        return Refused(invalid_command(field_errors(errors), command=name, correlation_id=correlation_id))
