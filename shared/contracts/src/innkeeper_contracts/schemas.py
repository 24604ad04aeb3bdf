"""The JSON Schema of every contract, by name: written to docs/ by `make docs`, held to its release by
scripts/check_compatibility.py."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from . import command_bodies, commands, contract, envelope, money, problems, replies, values
from .documents import answers as document_answers
from .documents import models as documents
from .events import base as event_base
from .events import booking as booking_events
from .events import hotel as hotel_events
from .events import notifications as notification_events

_MODULES = (
    contract,
    money,
    values,
    commands,
    command_bodies,
    event_base,
    hotel_events,
    booking_events,
    notification_events,
    envelope,
    problems,
    replies,
)


def _models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for module in (*_MODULES, documents, document_answers):
        for name, value in vars(module).items():
            is_contract = isinstance(value, type) and issubclass(value, BaseModel)
            if is_contract and value.__module__ == module.__name__ and not name.startswith("_"):
                models[name] = value
    return models


def all_schemas() -> dict[str, dict[str, Any]]:
    """Model name → JSON Schema (validation mode), for every public model of the contracts."""
    return {name: model.model_json_schema() for name, model in sorted(_models().items())}
