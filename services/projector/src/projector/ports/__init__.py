"""What the projector needs from its read store and from the event log (`typing.Protocol`s); the
composition root (`bootstrap`) picks the implementations (`store.mongo`, `store.memory`)."""

from .documents import Alongside, Changes, Checkpoint, DocumentStore, WriteConflictError, Written
from .event_log import EventLog, GapNotHealedError, ReconciledLog
from .generations import GENERATION_BASES, GenerationRegistry, Generations
from .shards import Entry, Heartbeats, Kind, ParkingLot, StatusBoard
from .store import ReadStore, StoreConnection

__all__ = [
    "GENERATION_BASES",
    "Alongside",
    "Changes",
    "Checkpoint",
    "DocumentStore",
    "Entry",
    "EventLog",
    "GapNotHealedError",
    "GenerationRegistry",
    "Generations",
    "Heartbeats",
    "Kind",
    "ParkingLot",
    "ReadStore",
    "ReconciledLog",
    "StatusBoard",
    "StoreConnection",
    "WriteConflictError",
    "Written",
]
