"""What no retry can fix is parked at once with its reason, and the shard keeps projecting.

One shard, so every hotel shares it. Parked: an event whose data the contracts refuse (published to
`innkeeper.events` directly: the projector does not trust the wire), an event whose document would
pass the largest document the projector writes (`PROJECTOR_MAX_DOCUMENT_BYTES`, lowered here so that
a valid hotel crosses it; the default is MongoDB's 16 MB), a gap the event log never heals (after
`PROJECTOR_GAP_WAIT_SECONDS`), a message larger than any event, and an envelope whose own fields the
contracts refuse (a NUL in its correlation id: dead-lettered as malformed). Per-aggregate order holds: a later
event of a parked aggregate waits behind it (parked, `behind`); every other aggregate flows, those of
the same hotel included.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from projector_kit import Bus, ReadModel, run_cli, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import EventEnvelope, HotelRegistered, Money, RefundIssued, RoomTypeSpec

LIMIT = 8192


async def test_unfixable_events_are_parked_at_once_and_the_shard_moves_on(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {
        **projector_env,
        "PROJECTOR_SHARDS": "1",
        "PROJECTOR_MAX_DOCUMENT_BYTES": str(LIMIT),
        "PROJECTOR_GAP_WAIT_SECONDS": "1",
    }
    story = Story(seed=21)
    first, second = story.register_hotel(), story.register_hotel()
    gapped = story.book(second, room_type="DBL")
    assert gapped is not None
    start_projector(env, log_dir, projectors)
    bus.append(story.events)
    await bus.publish(story.events)
    await wait_until(lambda: read_model.checkpoints() == story.versions, what="the hotels applied")

    before = len(story.events)
    crowded = _register_a_hotel_too_large_for_its_card(story)  # valid, in the log: a rebuild refuses it too
    gap = _refund(story, gapped, version=3)  # published only; version 2 never existed
    sibling = story.book(first, room_type="DBL")  # another aggregate of the hotel the invalid event names
    other = story.book(second, room_type="STE")  # another hotel on the same shard
    assert sibling is not None
    assert other is not None
    invalid = _copy(story.events[-2], guests=0)  # a booking of `first` the contracts refuse; wire only
    behind = invalid.model_copy(update={"event_id": uuid.uuid4(), "aggregate_version": 2})
    bus.append(story.events[before:])
    await bus.publish([crowded, gap, invalid, behind])
    await bus.publish_raw(b"x" * (2 * 1024 * 1024), partition_key=first)
    traced = _copy(story.events[-2]).model_dump(mode="json") | {"correlation_id": "trace\x00"}
    await bus.publish_raw(orjson.dumps(traced), partition_key=first)
    await bus.publish(story.events[-2:])  # the next valid events: `sibling`, then `other`

    applied = {a: v for a, v in story.versions.items() if a != str(crowded.aggregate_id)}
    await wait_until(lambda: read_model.checkpoints() == applied, what="every other aggregate applied")
    await wait_until(lambda: len(read_model.parked()) == 6, what="six entries parked")
    parked = {p["_id"]: p for p in read_model.parked()}
    refused = parked[str(invalid.event_id)]
    assert (refused["kind"], refused["attempts"]) == ("failed", 1)  # at its first failure
    assert refused["reason"].startswith("invalid event: StayBooked data:")
    assert "guests" in refused["reason"]
    assert parked[str(behind.event_id)]["kind"] == "behind"  # its aggregate's order holds
    too_large = parked[str(crowded.event_id)]
    assert too_large["reason"].startswith("document too large: ")
    assert f"(limit {LIMIT}), hotel_cards document {crowded.aggregate_id}" in too_large["reason"]
    assert parked[str(gap.event_id)]["reason"].startswith("gap not healed after 1 s:")
    oversized, nul = sorted(
        (p for p in parked.values() if p["kind"] == "malformed"), key=lambda p: -p["body_bytes"]
    )
    assert nul["reason"].startswith(
        "malformed message: correlation_id: contains a control or format character U+0000"
    )
    assert "2097152 bytes, more than an event takes" in oversized["reason"]
    assert oversized["body_bytes"] == 2 * 1024 * 1024
    assert len(oversized["body"]) == 64 * 1024  # what is kept of it
    assert {sibling, other} <= set(read_model.docs("bookings"))
    assert str(crowded.aggregate_id) not in read_model.docs("hotel_cards")

    code, output = await run_cli(env, "verify")  # a rebuild refuses what the live projector refused
    assert code == 0, output


def _register_a_hotel_too_large_for_its_card(story: Story) -> EventEnvelope:
    hotel_id = uuid.uuid4()
    rate = Money(amount=Decimal(100), currency="EUR")
    rooms = [
        RoomTypeSpec(code=f"R{n}", name="Room " + "x" * 190, capacity=1, max_guests=2, nightly_rate=rate)
        for n in range(30)
    ]
    event = HotelRegistered(hotel_id=hotel_id, name="Crowded", city="Faro", stars=3, room_types=rooms)
    return story.add(str(hotel_id), str(hotel_id), event)


def _copy(envelope: EventEnvelope, **changes: Any) -> EventEnvelope:
    """The event as another aggregate (a new booking) whose data says something else; never in the log."""
    booking = uuid.uuid4()
    data = {**envelope.data, **changes, "booking_id": str(booking)}
    fields = {"event_id": uuid.uuid4(), "aggregate_id": booking, "data": data, "global_position": 10_000}
    return envelope.model_copy(update=fields)


def _refund(story: Story, booking: str, version: int) -> EventEnvelope:
    hotel = story.active[booking][0]
    refund = RefundIssued(
        booking_id=uuid.UUID(booking),
        hotel_id=uuid.UUID(hotel),
        guest_id="guest-1",
        amount=Money(amount=Decimal(1), currency="EUR"),
        policy="full",
    )
    envelope = story.add(booking, hotel, refund)
    story.events.pop()  # published only: the log never has it, nor the version before it
    story.versions[booking] = 1
    return envelope.model_copy(update={"aggregate_version": version, "global_position": 10_002})
