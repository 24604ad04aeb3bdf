"""What a command message carries, judged before the pipeline: the size of its headers and of its body,
its idempotency key (the `message_id`) and its command — or the rejection that says why it is none (then
it is dead-lettered)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pamqp.common import FieldValue
from pamqp.encode import field_table
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
class MessageLimits:
    """How large a command message may be: its body (AMQP_MAX_COMMAND_BYTES) and its headers as encoded
    on the wire (AMQP_MAX_HEADER_BYTES)."""

    max_body_bytes: int
    max_header_bytes: int


@dataclass(frozen=True)
class CommandMessage:
    """A command the pipeline may carry out."""

    command: Contract
    idempotency_key: str | None


def read_command(
    name: str,
    body: bytes,
    message_id: str | None,
    headers: Mapping[str, FieldValue] | None,
    *,
    correlation_id: str,
    limits: MessageLimits,
) -> CommandMessage | CommandRejected:
    """The command the routing key `name` names, or why there is none; headers or a body over their
    limits are refused before the body is parsed."""
    header_bytes = len(field_table(dict(headers or {})))
    if header_bytes > limits.max_header_bytes:
        return headers_too_large(
            header_bytes, limits.max_header_bytes, command=name, correlation_id=correlation_id
        )
    if len(body) > limits.max_body_bytes:
        return too_large(len(body), limits.max_body_bytes, command=name, correlation_id=correlation_id)
    if message_id and not acceptable_id(message_id):  # it would be stored and logged
        return invalid_command([_KEY_ERROR], command=name, correlation_id=correlation_id)
    model = COMMANDS.get(name)
    if model is None:
        return malformed_message(f"unknown command {name!r}", command=None, correlation_id=correlation_id)
    try:
        return CommandMessage(model.model_validate_json(body), message_id or None)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_context=False)
        if is_malformed(errors):
            return malformed_message("body is not valid JSON", command=name, correlation_id=correlation_id)
        return invalid_command(field_errors(errors), command=name, correlation_id=correlation_id)


def delivered_before(headers: Mapping[str, FieldValue] | None) -> int:
    """How often the quorum queue delivered the message before: its `x-delivery-count` (none: never)."""
    count = (headers or {}).get("x-delivery-count")
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


def headers_too_large(size: int, limit: int, *, command: str, correlation_id: str) -> CommandRejected:
    """431: RFC 6585's "Request Header Fields Too Large", the one status that says which part is."""
    return CommandRejected.of(
        "too-large",
        431,
        f"the headers have {size} bytes encoded; a command message takes at most {limit}",
        command=command,
        correlation_id=correlation_id,
    )
