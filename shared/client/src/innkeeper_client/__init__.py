"""Innkeeper for integrators: typed async HTTP calls for every command and query (`InnkeeperClient`), an
AMQP command sender (`AmqpCommandSender`), and one error hierarchy for both (`InnkeeperError`).

The models are the contracts' own (`innkeeper_contracts`): commands, `CommandAccepted`, `CommandRejected`,
read documents."""

from .amqp import AmqpCommandSender
from .calling import NO_RETRIES, RetryPolicy
from .client import InnkeeperClient
from .commands import CommandClient
from .errors import (
    AuthenticationError,
    CommandRejectedError,
    ConflictError,
    InnkeeperError,
    InvalidRequestError,
    NoAnswerError,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    UnavailableError,
)
from .queries import QueryClient

__all__ = [
    "NO_RETRIES",
    "AmqpCommandSender",
    "AuthenticationError",
    "CommandClient",
    "CommandRejectedError",
    "ConflictError",
    "InnkeeperClient",
    "InnkeeperError",
    "InvalidRequestError",
    "NoAnswerError",
    "NotFoundError",
    "PermissionDeniedError",
    "QueryClient",
    "RetryPolicy",
    "ServerError",
    "UnavailableError",
]
