"""Pure projection: an event and the current documents in, the new documents out. No I/O here."""

from .dispatch import apply_event, check_declarations, needs
from .errors import ProjectionError
from .view import DocKey, Needs, ReadView

__all__ = ["DocKey", "Needs", "ProjectionError", "ReadView", "apply_event", "check_declarations", "needs"]
