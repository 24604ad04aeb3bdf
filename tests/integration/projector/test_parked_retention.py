"""Retention of the parking lot (`PROJECTOR_PARKED_RETENTION_DAYS`, a few seconds here): a parked event's
entry loses its data and the details of its reason but keeps blocking its aggregate; a malformed
message is deleted; an entry parked later keeps everything until its own retention ends."""

from __future__ import annotations

import uuid
from pathlib import Path

from guests import Guests
from projector_kit import Bus, ReadModel, start_projector
from story import Story
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

ADA = ("guest-ada", "Ada Quillfeather", "ada.quillfeather@example.com")
RETENTION_DAYS = 4 / 86400  # four seconds; the lot is swept every second


async def test_parked_entries_lose_what_may_be_personal_data_after_the_retention(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {
        **projector_env,
        "PROJECTOR_MAX_ATTEMPTS": "1",
        "PROJECTOR_PARKED_RETENTION_DAYS": repr(RETENTION_DAYS),
    }
    guests, story = Guests(env["POSTGRES_DSN"]), Story(seed=6)
    unknown = str(uuid.uuid4())  # a hotel the log never registered: the booking fails and is parked
    story.hotels[unknown] = {"DBL": 1}
    booking = await guests.book(story, unknown, "DBL", *ADA)
    start_projector(env, log_dir, projectors)
    bus.append(story.events)
    await bus.publish(story.events)
    await bus.publish_raw(b'{"guest": {"name": "Ada Quillfeather"}}', partition_key=unknown)
    await wait_until(lambda: len(read_model.parked()) == 2, what="the event and the message parked")
    [event] = [e for e in read_model.parked() if e["kind"] == "failed"]
    assert event["envelope"]["data"]["guest"]["name"].startswith("sealed:v1:")
    assert event["reason"] == f"hotel_details document {unknown} is missing"

    await wait_until(
        lambda: [e.get("expired_at") is not None for e in read_model.parked()] == [True],
        seconds=30,
        what="the retention swept the lot",
    )
    [expired] = read_model.parked()
    assert expired["_id"] == event["_id"]  # the malformed message is deleted
    assert expired["envelope"]["data"] == {}
    assert expired["reason"] == (
        f"hotel_details document {unknown} is missing: details removed after the retention of"
        f" {RETENTION_DAYS:g} days (PROJECTOR_PARKED_RETENTION_DAYS)"
    )
    assert (expired["status"], expired["aggregate_id"], expired["aggregate_version"]) == (
        "parked",
        booking,
        1,
    )
    assert booking not in read_model.checkpoints()  # it still blocks its aggregate
