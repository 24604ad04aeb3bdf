"""What the query service answers besides the contracts' documents and answers: its health, and how a
stored document becomes its model."""

from __future__ import annotations

from typing import Literal, TypeVar

from innkeeper_contracts import Contract

M = TypeVar("M", bound=Contract)


class Health(Contract):
    """Liveness or readiness of this process."""

    status: Literal["ok", "unavailable"]
    detail: str | None = None


def load(model: type[M], document: dict[str, object]) -> M:
    """A stored document as its contract model (storage-only keys such as `_id` dropped)."""
    return model.model_validate({k: v for k, v in document.items() if not k.startswith("_")})
