"""The real command service and the projector together: commands in, read documents out; the guest's
name and address, sealed by the command service, shown in clear until the guest's data is erased."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from projector_kit import ReadModel, run_cli, start_projector
from testkit.auth import admin
from testkit.infra import free_port
from testkit.services import ServiceProcess
from testkit.waiting import wait_until

from innkeeper_contracts import ConsistencyToken
from innkeeper_kit.personal import ERASED


async def test_commands_become_read_documents_that_equal_a_rebuild(
    service_env: dict[str, str], read_model: ReadModel, log_dir: Path, projectors: list[ServiceProcess]
) -> None:
    with ServiceProcess("command_service", service_env, free_port(), log_dir) as commands:
        start_projector({**service_env, "PROJECTOR_SHARDS": "2"}, log_dir, projectors)
        async with httpx.AsyncClient(headers=admin(), base_url=commands.url, timeout=30) as client:

            async def ready() -> bool:  # its schema is migrated
                return (await client.get("/readyz")).status_code == 200

            await wait_until(ready, seconds=30, what="the command service ready")
            tokens = await _tell_a_story(client)

        def caught_up() -> bool:
            applied = read_model.checkpoints()
            return all(applied.get(str(t.aggregate_id), 0) >= t.aggregate_version for t in tokens)

        await wait_until(caught_up, what="the projector reaching every consistency token")
        hotel, booking, cancelled = (str(t.aggregate_id) for t in tokens[:3])
        pages = read_model.docs("bookings")
        assert pages[booking]["guest"] == {
            "guest_id": "guest-1",
            "name": "Ann Berg",
            "email": "ann@example.com",
        }
        assert pages[cancelled]["cancellation_reason"] == "plans changed"

        async with httpx.AsyncClient(headers=admin(), base_url=commands.url, timeout=30) as client:
            erased = await client.post("/guests/guest-1/erase")
            assert erased.status_code == 202, erased.text

        def forgotten() -> bool:
            pages = read_model.docs("bookings")
            return all(pages[b]["guest"]["name"] == ERASED for b in (booking, cancelled))

        await wait_until(forgotten, what="the guest's data erased from the booking pages")

    card = read_model.docs("hotel_cards")[hotel]
    assert card["price_from"] == {"amount": "80.00", "currency": "EUR"}
    assert card["room_types"][0]["capacity"] == 4
    bookings = read_model.docs("bookings")
    assert bookings[booking]["status"] == "active"
    assert bookings[booking]["hotel_name"] == "Harbour Inn"
    assert bookings[cancelled]["status"] == "cancelled"
    nights = [d for d in read_model.docs("hotel_nights").values() if d["hotel_id"] == hotel]
    assert sorted((d["night"], d["booked"]) for d in nights) == [(n, 1) for n in _nights(2)]
    # A booking's confirmation and the hotel's management contact are applied, not parked, and the
    # contact reaches no read document.
    assert read_model.checkpoints()[booking] == 3  # booked, confirmation, erasure
    assert read_model.parked() == []
    assert "harbour.example" not in str(read_model.snapshot())
    assert not [
        s for s in ("Ann Berg", "ann@example.com", "plans changed") if s in str(read_model.snapshot())
    ]
    assert bookings[cancelled]["cancellation_reason"] == ERASED
    code, output = await run_cli({**service_env, "PROJECTOR_SHARDS": "2"}, "verify")
    assert code == 0, output


async def _tell_a_story(client: httpx.AsyncClient) -> list[ConsistencyToken]:
    hotel_id = str(uuid4())
    room = {"code": "DBL", "name": "Double", "capacity": 3, "max_guests": 2,
            "nightly_rate": {"amount": "100.00", "currency": "EUR"}}  # fmt: skip
    hotel = {"hotel_id": hotel_id, "name": "Harbour Inn", "city": "Bergen", "stars": 4, "room_types": [room],
             "management_email": "desk@harbour.example"}  # fmt: skip
    registered = await _accepted(client, "/hotels", hotel)
    first = await _accepted(client, "/bookings", _stay(hotel_id))
    second = await _accepted(client, "/bookings", _stay(hotel_id))
    cancelled = await _accepted(
        client, f"/bookings/{second.aggregate_id}/cancel", {"reason": "plans changed"}
    )
    await _accepted(client, f"/hotels/{hotel_id}/room-types/DBL/capacity", {"capacity": 4})
    contact = {"email": "night@harbour.example"}
    await _accepted(client, f"/hotels/{hotel_id}/management-contact", contact, method="PUT")
    rate = {"nightly_rate": {"amount": "80.00", "currency": "EUR"}}
    last = await _accepted(client, f"/hotels/{hotel_id}/room-types/DBL/rate", rate)
    return [registered, first, cancelled, last]


async def _accepted(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], method: str = "POST"
) -> ConsistencyToken:
    answer = await client.request(method, path, json=body)
    assert answer.status_code == 202, answer.text
    return ConsistencyToken.decode(answer.json()["consistency_token"])


def _nights(count: int) -> list[str]:
    start = datetime.now(UTC).date() + timedelta(days=20)
    return [(start + timedelta(days=n)).isoformat() for n in range(count)]


def _stay(hotel_id: str) -> dict[str, Any]:
    start = datetime.now(UTC).date() + timedelta(days=20)
    return {
        "hotel_id": hotel_id, "room_type": "DBL", "guests": 2,
        "guest": {"guest_id": "guest-1", "name": "Ann Berg", "email": "ann@example.com"},
        "check_in": start.isoformat(), "check_out": (start + timedelta(days=2)).isoformat(),
    }  # fmt: skip
