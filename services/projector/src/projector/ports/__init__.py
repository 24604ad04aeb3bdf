"""What the projector needs from its read store, the event log and the guests' keys
(`typing.Protocol`s); the composition root (`bootstrap`) picks the implementations (`store.mongo`,
`store.memory`, `guest_keys`)."""

from .documents import Alongside, Changes, Checkpoint, DocumentStore, WriteConflictError, Written
from .event_log import EventLog, GapNotHealedError, ReconciledLog
from .generations import GENERATION_BASES, GenerationRegistry, Generations
from .keys import KeyStore, KeyStoreMissingError, NoKeyStore
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
    "KeyStore",
    "KeyStoreMissingError",
    "Kind",
    "NoKeyStore",
    "ParkingLot",
    "ReadStore",
    "ReconciledLog",
    "StatusBoard",
    "StoreConnection",
    "WriteConflictError",
    "Written",
]
