"""The journal keeps what the clients saw and reads back exactly what it wrote."""

from pathlib import Path

import pytest

from conformance.journal import CommandRecord, Journal


def record(key: str, command: str, outcome: str, transport: str = "http") -> CommandRecord:
    answered = outcome != "unanswered"
    return CommandRecord(
        key=key,
        transport=transport,
        client=f"{transport}-0",
        command=command,
        body={"hotel_id": "h", "nested": {"amount": "1.00"}},
        attempts=2 if outcome == "unanswered" else 1,
        outcome=outcome,
        status=(202 if outcome == "accepted" else 409) if answered and transport == "http" else None,
        problem="https://innkeeper.dev/problems/business-rule" if outcome == "rejected" else None,
        reply={"status": "accepted", "aggregate_id": "a"} if outcome == "accepted" else None,
        sent_at=0.5,
        answered_at=0.75 if answered else None,
    )


def test_a_dumped_journal_loads_back_equal(tmp_path: Path) -> None:
    journal = Journal()
    journal.append(record("k1", "BookStay", "accepted"))
    journal.append(record("k2", "BookStay", "rejected", transport="amqp"))
    journal.append(record("k3", "CancelBooking", "unanswered"))
    path = tmp_path / "run" / "journal.jsonl"

    journal.dump(path)

    assert Journal.load(path).records() == journal.records()
    assert len(path.read_text().splitlines()) == 3


def test_counts_by_outcome_and_by_command() -> None:
    journal = Journal()
    for key, command, outcome in [
        ("a", "BookStay", "accepted"),
        ("b", "BookStay", "accepted"),
        ("c", "BookStay", "rejected"),
        ("d", "SetNightlyRate", "unanswered"),
    ]:
        journal.append(record(key, command, outcome))

    counts = journal.counts()

    assert counts["sent"] == 4
    assert (counts["accepted"], counts["rejected"], counts["unanswered"]) == (2, 1, 1)
    assert counts["accepted:BookStay"] == 2
    assert counts["unanswered:SetNightlyRate"] == 1
    assert [r.key for r in journal.accepted("BookStay")] == ["a", "b"]


def test_an_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown outcome"):
        Journal().append(record("k", "BookStay", "lost"))


def test_unknown_fields_in_a_line_are_ignored() -> None:
    line = record("k", "BookStay", "accepted").to_json()[:-1] + ',"later_field":1}'
    assert CommandRecord.from_json(line).key == "k"
