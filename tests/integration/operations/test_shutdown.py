"""SIGTERM under load: commands keep coming over HTTP while the command service and the projector are
told to stop. Both exit 0 within their bound; after a restart every accepted (202) command's events
are in the read model, exactly once (`projector verify` finds no difference)."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import httpx
from testkit.auth import admin
from testkit.innkeeper import Innkeeper
from testkit.waiting import wait_until

from innkeeper_contracts.documents import BOOKINGS
from operations.support import hotel, lines_with, stay

CLIENTS = 4


async def test_sigterm_under_load_loses_no_accepted_command_and_applies_none_twice(system: Innkeeper) -> None:
    await system.start()
    command, [projector] = system.command, system.projectors
    assert command is not None
    registered = hotel(capacity=10_000)
    accepted: list[str] = []
    stop = asyncio.Event()

    async def client() -> None:
        async with httpx.AsyncClient(headers=admin(), base_url=command.url, timeout=30) as http:
            while not stop.is_set():
                booked = stay(registered["hotel_id"], days_ahead=10 + len(accepted) % 300)
                try:
                    answer = await http.post(
                        "/bookings", json=booked, headers={"Idempotency-Key": str(uuid4())}
                    )
                except httpx.TransportError:  # the service is stopping or gone: not accepted
                    await asyncio.sleep(0.05)
                    continue
                if answer.status_code == 202:
                    accepted.append(booked["booking_id"])

    async with httpx.AsyncClient(headers=admin(), base_url=command.url, timeout=30) as http:
        assert (await http.post("/hotels", json=registered)).status_code == 202
    load = [asyncio.create_task(client()) for _ in range(CLIENTS)]
    await wait_until(lambda: len(accepted) >= 40, 30, "40 accepted bookings")

    # Both get SIGTERM while commands flow; both stop gracefully, exit 0.
    codes = await asyncio.gather(*(asyncio.to_thread(p.terminate, 30) for p in (command, projector)))
    assert codes == [0, 0], [p.logs()[-3000:] for p in (command, projector)]
    for process in (command, projector):
        assert lines_with(process, event="shutdown.done"), process.module
    before_restart = len(accepted)

    # Restarted (same ports), they take the load again; then the load stops.
    await asyncio.gather(*(asyncio.to_thread(p.start) for p in (command, projector)))
    await wait_until(lambda: len(accepted) >= before_restart + 20, 30, "bookings accepted after the restart")
    stop.set()
    await asyncio.gather(*load)

    # Every accepted booking is in the log once, and in the read model; no event applied twice.
    await system.wait_caught_up(60)
    logged = {str(row["aggregate_id"]) for row in await system.events_of_type("StayBooked")}
    assert set(accepted) <= logged
    assert len(await system.events_of_type("StayBooked")) == len(logged)
    documents = system.mongo[system.env["MONGODB_DATABASE"]][f"{BOOKINGS}_{await system.generation()}"]
    stored = {document["_id"] async for document in documents.find({}, {"_id": 1})}
    assert stored == logged
    code, output = await system.projector_cli("verify")
    assert code == 0, output
    assert await _nothing_left_in_the_outbox(system)
    # All three services stop the same way: exit code 0.
    stopped = [system.command, *system.projectors, *system.queries]
    assert await asyncio.gather(*(asyncio.to_thread(p.terminate, 30) for p in stopped if p)) == [0, 0, 0]


async def _nothing_left_in_the_outbox(system: Innkeeper) -> bool:
    [row] = await system.fetch("SELECT count(*) AS n FROM outbox")
    return int(row["n"]) == 0
