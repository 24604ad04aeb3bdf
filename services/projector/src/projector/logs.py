"""Logging for the projector: the kit's set-up (JSON or console lines naming the service, with the
bound context and without guest personal data)."""

from __future__ import annotations

from innkeeper_kit import logging as kit_logging

from .settings import Settings

SERVICE = "projector"


def configure_logging(settings: Settings) -> None:
    kit_logging.configure_logging(SERVICE, settings.log_level, settings.log_format)
