"""What the load's clients saw: one record per logical command (all its retries share one key).

The checker reads this after a scenario, so it is plain data and written as JSON lines."""

import json
from collections import Counter
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

OUTCOMES = ("accepted", "rejected", "unanswered")


@dataclass
class CommandRecord:
    """One logical command, after all its retries with the same key."""

    key: str  # Idempotency-Key (HTTP) / message_id (AMQP); also the correlation id
    transport: str  # "http" | "amqp"
    client: str  # e.g. "http-2"
    command: str  # "RegisterHotel" | "BookStay" | "CancelBooking" | "SetNightlyRate" | "ChangeRoomCapacity"
    body: dict[str, Any]
    attempts: int
    outcome: str  # one of OUTCOMES
    status: (
        int | None
    )  # HTTP status of the final answer (AMQP: None; a rejection names its kind in `problem`)
    problem: str | None  # the problem type of a rejection (unanswered: why the last attempt failed)
    reply: dict[str, Any] | None  # the final answer's body
    sent_at: float  # seconds since the load started (time.monotonic based)
    answered_at: float | None

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, line: str) -> "CommandRecord":
        raw = json.loads(line)
        known = {field.name for field in fields(cls)}
        return cls(**{name: value for name, value in raw.items() if name in known})


class Journal:
    """The records of one run, in the order the commands were answered (or given up on)."""

    def __init__(self) -> None:
        self._records: list[CommandRecord] = []

    def append(self, record: CommandRecord) -> None:
        if record.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {record.outcome!r}")
        self._records.append(record)

    def records(self) -> list[CommandRecord]:
        return list(self._records)

    def counts(self) -> dict[str, int]:
        """sent, accepted, rejected, unanswered, and `<outcome>:<command>` for each pair seen."""
        by_outcome = Counter(record.outcome for record in self._records)
        by_pair = Counter(f"{record.outcome}:{record.command}" for record in self._records)
        counts = {"sent": len(self._records)} | {outcome: by_outcome[outcome] for outcome in OUTCOMES}
        return counts | dict(sorted(by_pair.items()))

    def accepted(self, command: str | None = None) -> list[CommandRecord]:
        return [
            record
            for record in self._records
            if record.outcome == "accepted" and (command is None or record.command == command)
        ]

    def dump(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(record.to_json() + "\n" for record in self._records), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Journal":
        journal = cls()
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                journal.append(CommandRecord.from_json(line))
        return journal
