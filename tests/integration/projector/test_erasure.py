"""A guest's personal data in the read model: shown in clear while their key exists, `[erased]` in every
document once it is erased (searched for the literal strings), the other guest untouched; `verify` and
a rebuild after the erasure give the live model; a parked event of the erased guest holds ciphertext
only, which no key opens any more."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from guests import Guests
from projector_kit import Bus, ReadModel, assert_verified, run_cli, start_projector
from story import Story
from testkit.personal import opened
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import GuestContactChanged
from innkeeper_kit.personal import ERASED

ADA = ("guest-ada", "Ada Quillfeather", "ada.quillfeather@example.com")
BEN = ("guest-ben", "Ben Marrowgate", "ben.marrowgate@example.com")
ADA_NEW_EMAIL = "ada.elsewhere@example.com"
ADA_REASON = "Ada's surgery moved to March"


def everything(read_model: ReadModel) -> str:
    """Every read document and every parked entry, as one text to search."""
    found: dict[str, Any] = {"documents": read_model.snapshot(), "parked": read_model.parked(status=None)}
    return orjson.dumps(found, default=str).decode()


async def test_an_erased_guest_is_gone_from_every_document_and_a_rebuild_equals_live(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    guests, story = Guests(projector_env["POSTGRES_DSN"]), Story(seed=3)
    hotel = story.register_hotel()
    first = await guests.book(story, hotel, "DBL", *ADA)
    second = await guests.book(story, hotel, "STE", *ADA)
    other = await guests.book(story, hotel, "DBL", *BEN)
    story.cancel(
        second, reason=await guests.sealed(ADA[0], ADA_REASON), email=await guests.sealed(ADA[0], ADA[2])
    )
    changed = GuestContactChanged(
        booking_id=uuid.UUID(first),
        hotel_id=uuid.UUID(hotel),
        guest_id=ADA[0],
        email=await guests.sealed(ADA[0], ADA_NEW_EMAIL),
        changed_at=datetime(2027, 2, 1, tzinfo=UTC),
    )
    story.add(first, hotel, changed)
    start_projector(projector_env, log_dir, projectors)
    bus.append(story.events)
    await bus.publish(story.events)
    await wait_until(lambda: read_model.checkpoints() == story.versions, what="the bookings applied")
    pages = read_model.docs("bookings")
    assert pages[first]["guest"] == {"guest_id": ADA[0], "name": ADA[1], "email": ADA_NEW_EMAIL}
    assert pages[second]["cancellation_reason"] == ADA_REASON
    assert pages[other]["guest"] == {"guest_id": BEN[0], "name": BEN[1], "email": BEN[2]}

    before = len(story.events)
    key_ids = await guests.erase(story, ADA[0])
    assert len(key_ids) == 1
    bus.append(story.events[before:])
    await bus.publish(story.events[before:])
    await wait_until(lambda: read_model.checkpoints() == story.versions, what="the erasure applied")
    pages = read_model.docs("bookings")
    for booking in (first, second):
        guest = pages[booking]["guest"]
        assert guest == {"guest_id": ADA[0], "name": ERASED, "email": ERASED, "erased": True}
    assert pages[second]["cancellation_reason"] == ERASED
    assert (pages[second]["status"], pages[first]["status"]) == ("cancelled", "active")  # bookings stay
    text = everything(read_model)
    assert not [s for s in (ADA[1], ADA[2], ADA_NEW_EMAIL, ADA_REASON, "sealed:v1:") if s in text]
    assert pages[other]["guest"] == {"guest_id": BEN[0], "name": BEN[1], "email": BEN[2]}

    await assert_verified(projector_env)  # a replay in memory, with the key gone, gives the live model
    live = read_model.snapshot()
    code, output = await run_cli(projector_env, "rebuild")
    assert code == 0, output
    assert read_model.snapshot() == live


async def test_a_parked_event_of_an_erased_guest_holds_only_ciphertext_no_key_opens(
    bus: Bus,
    read_model: ReadModel,
    projector_env: dict[str, str],
    log_dir: Path,
    projectors: list[ServiceProcess],
) -> None:
    env = {**projector_env, "PROJECTOR_MAX_ATTEMPTS": "1"}
    guests, story = Guests(env["POSTGRES_DSN"]), Story(seed=4)
    hotel = story.register_hotel()
    kept = await guests.book(story, hotel, "DBL", *BEN)
    unknown = str(uuid.uuid4())  # a hotel the log never registered: the booking fails and is parked
    story.hotels[unknown] = {"DBL": 1}
    parked = await guests.book(story, unknown, "DBL", *ADA)
    start_projector(env, log_dir, projectors)
    bus.append(story.events)
    await bus.publish(story.events)
    await wait_until(lambda: len(read_model.parked()) == 1, what="Ada's booking parked")
    await wait_until(lambda: kept in read_model.docs("bookings"), what="Ben's booking applied")
    [entry] = read_model.parked()
    assert entry["_id"] == str(story.events[-1].event_id)
    text = orjson.dumps(entry, default=str).decode()
    assert ADA[1] not in text
    assert ADA[2] not in text
    name = entry["envelope"]["data"]["guest"]["name"]
    assert name.startswith("sealed:v1:")
    assert await opened(env["POSTGRES_DSN"], name) == ADA[1]  # its key still opens it

    await guests.erase(story, ADA[0])
    assert await opened(env["POSTGRES_DSN"], name) == ERASED  # unreadable by construction
    assert parked not in read_model.docs("bookings")
