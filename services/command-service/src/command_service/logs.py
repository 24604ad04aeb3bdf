"""Logging for the command service: the kit's set-up (JSON or console lines naming the service, with the
correlation id and without guest personal data), under the name the call sites already use."""

from __future__ import annotations

import logging

from innkeeper_kit import logging as kit_logging

SERVICE_NAME = "command-service"


def configure_logging(level: str, log_format: str) -> None:
    kit_logging.configure_logging(SERVICE_NAME, level, log_format)


def faststream_logger() -> logging.Logger:
    """FastStream's logger, without its own handler: its lines go through the root handler's formatter."""
    return logging.getLogger("command_service.faststream")
