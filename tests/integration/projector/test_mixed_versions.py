"""A log written across schema changes: StayBooked rows of version 1 (as they were logged before
`booked_at`) among rows of the current version. The live projector reads both off the wire, a rebuild reads
both from the log, and both give the same read model, with every hotel card's last booking time. A
version newer than the projector knows is parked with the reason."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from projector_kit import Bus, ReadModel, run_cli, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import EventEnvelope, StayBooked

CURRENT = StayBooked.schema_version


def as_version_1(envelope: EventEnvelope) -> EventEnvelope:
    """The row a StayBooked had in the log before version 2: no `booked_at`, schema version 1."""
    data = {key: value for key, value in envelope.data.items() if key != "booked_at"}
    return envelope.model_copy(update={"schema_version": 1, "data": data})


async def test_a_rebuild_from_a_log_of_version_1_and_current_stays_equals_the_live_model(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    story = Story(seed=16).generate(hotels=4, steps=150)
    stays = [e for e in story.events if e.event_type == "StayBooked"]
    # Every other stay is a version 1 row: a rolling upgrade, old and new command services writing.
    old = {e.event_id for e in stays[::2]}
    log = [as_version_1(e) if e.event_id in old else e for e in story.events]
    assert {e.schema_version for e in log if e.event_type == "StayBooked"} == {1, CURRENT}

    start_projector(projector_env, log_dir, projectors)
    bus.append(log)
    await bus.publish(log)
    expected = {str(e.aggregate_id): e.aggregate_version for e in log}
    await wait_until(lambda: read_model.checkpoints() == expected, what="the mixed log applied live")
    assert read_model.parked() == []
    live = read_model.snapshot()

    code, output = await run_cli(projector_env, "rebuild")
    assert code == 0, output
    assert read_model.snapshot() == live

    cards = read_model.docs("hotel_cards")
    last_booked = {hotel: latest_booking(story.events, hotel) for hotel in story.hotels}
    assert {hotel: cards[hotel]["last_booked_at"] for hotel in story.hotels} == last_booked
    hotels_last_booked_by_v1 = [
        hotel
        for hotel in story.hotels
        if max((e for e in log if e.event_type == "StayBooked" and e.partition_key == hotel),
               key=lambda e: e.global_position).schema_version == 1
    ]  # fmt: skip
    assert hotels_last_booked_by_v1, "the story should end some hotel's bookings with a version 1 row"
    bookings = read_model.docs("bookings")
    assert all(bookings[str(e.aggregate_id)]["booked_at"] == iso(e.occurred_at) for e in stays)
    code, output = await run_cli(projector_env, "verify")
    assert code == 0, output

    # A stay written by a newer command service than this projector knows: parked, saying why.
    hotel = next(iter(story.hotels))
    booking = story.book(hotel, room_type="STE")
    assert booking is not None
    newer = story.events[-1].model_copy(update={"schema_version": CURRENT + 1})
    bus.append([newer])
    await bus.publish([newer])
    await wait_until(lambda: len(read_model.parked()) == 1, what="the newer stay parked")
    [parked] = read_model.parked()
    assert parked["_id"] == str(newer.event_id)
    assert parked["reason"] == (
        f"invalid event: StayBooked data: StayBooked data of schema version {CURRENT + 1} is newer than"
        f" this reader knows (up to {CURRENT}): upgrade the reader"
    )


def latest_booking(events: list[EventEnvelope], hotel: str) -> str:
    """The latest `booked_at` of a hotel's stays (the story books each when it logs it)."""
    times = [e.data["booked_at"] for e in events if e.event_type == "StayBooked" and e.partition_key == hotel]
    return max(times, key=datetime.fromisoformat)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
