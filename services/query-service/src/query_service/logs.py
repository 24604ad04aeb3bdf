"""Logging for the query service: the kit's set-up (JSON or console lines naming the service, with the
correlation id and without guest personal data)."""

from __future__ import annotations

from innkeeper_kit import logging as kit_logging
from query_service.settings import Settings

SERVICE = "query-service"


def configure_logging(settings: Settings) -> None:
    kit_logging.configure_logging(SERVICE, settings.log_level, settings.log_format)
