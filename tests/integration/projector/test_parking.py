"""A poison event is parked with its reason; its aggregate waits, others flow; retry after a fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from projector_kit import Bus, ReadModel, run_cli, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until


async def test_poison_event_is_parked_and_retried_after_a_fix(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    story = Story(seed=3).generate(hotels=3, steps=30)
    hotel = next(iter(story.hotels))
    poison_booking = story.book(hotel, room_type="NOPE")  # the hotel has no such room type
    assert poison_booking is not None
    poison = story.events[-1]
    held = story.active.pop(poison_booking)  # so that the random steps leave it alone
    for _ in range(20):
        story.step()
    sibling = story.book(hotel, room_type="DBL")  # same hotel, another booking: must not wait
    story.active[poison_booking] = held
    story.cancel(poison_booking)  # later events of the poisoned aggregate
    for _ in range(20):
        story.step()
    bus.append(story.events)
    start_projector(projector_env, log_dir, projectors)
    await bus.publish(story.events)
    await bus.publish_raw(b"{not json", partition_key=hotel)
    unknown = story.events[0].model_copy(update={"event_type": "HotelDemolished"})
    await bus.publish_raw(unknown.model_dump_json().encode(), partition_key=hotel)

    await wait_until(lambda: read_model.deliveries() >= bus.published - 2, what="every event delivered")
    await wait_until(lambda: len(_malformed(read_model)) == 2, what="two dead letters")
    reasons = sorted(p["reason"] for p in _malformed(read_model))
    assert "Invalid JSON" in reasons[0]
    assert "unknown event type 'HotelDemolished'" in reasons[1]
    parked = {p["_id"]: p for p in read_model.parked() if p["kind"] != "malformed"}
    failed = parked[str(poison.event_id)]
    assert failed["kind"] == "failed"
    assert "NOPE" in failed["reason"]
    assert failed["attempts"] == 3
    waiting = [p for p in parked.values() if p["kind"] == "behind"]
    assert [p["aggregate_version"] for p in waiting] == list(range(2, story.versions[poison_booking] + 1))
    assert {p["aggregate_id"] for p in parked.values()} == {poison_booking}
    others = {a: v for a, v in story.versions.items() if a != poison_booking}
    assert read_model.checkpoints() == others  # everything else flowed
    assert sibling in read_model.docs("bookings")
    assert poison_booking not in read_model.docs("bookings")
    code, listing = await run_cli(projector_env, "dead-letters", "list")
    assert code == 0
    assert "NOPE" in listing
    assert "malformed" in listing

    bus.fix(str(poison.event_id), "room_type", "DBL")  # the operator corrects the event in the log
    code, output = await run_cli(projector_env, "dead-letters", "retry")
    assert code == 0, output
    await wait_until(lambda: read_model.checkpoints() == story.versions, what="the parked aggregate applied")
    await wait_until(lambda: not read_model.parked("retry"), what="the retried events leave the lot")
    assert [p["kind"] for p in read_model.parked()] == ["malformed", "malformed"]
    ids = [arg for p in read_model.parked() for arg in ("--id", p["_id"])]
    code, output = await run_cli(projector_env, "dead-letters", "skip", *ids)
    assert code == 0, output
    assert read_model.parked() == []

    assert read_model.docs("bookings")[poison_booking]["status"] == "cancelled"
    assert {k: d["booked"] for k, d in read_model.docs("hotel_nights").items()} == story.expected_nights()
    code, output = await run_cli(projector_env, "verify")
    assert code == 0, output


def _malformed(read_model: ReadModel) -> list[dict[str, Any]]:
    return [p for p in read_model.parked() if p["kind"] == "malformed"]
