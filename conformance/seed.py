"""The hotels the load books in, registered over HTTP before it starts."""

import asyncio
import uuid
from datetime import date, timedelta

from conformance.attempts import Deadline, until_answered
from conformance.commands import SeedData, SeededHotel, register_hotel
from conformance.journal import CommandRecord
from conformance.load import LoadEndpoints, LoadPlan
from conformance.transport_http import HttpClient

FIRST_NIGHT_IN_DAYS = 60  # far enough ahead that no check-in is in the past during a run
SEED_TIMEOUT = 60.0


async def seed(endpoints: LoadEndpoints, plan: LoadPlan) -> SeedData:
    """Register `plan.hotels` hotels (each one scarce room type, two roomy ones); all must be accepted."""
    client = HttpClient("seed", endpoints.command_urls, endpoints.admin_token)
    deadline = Deadline()
    deadline.start(SEED_TIMEOUT)
    loop = asyncio.get_running_loop()
    start = loop.time()
    commands = [register_hotel(number, plan.scarce_rooms) for number in range(1, plan.hotels + 1)]
    try:
        records: list[CommandRecord] = await asyncio.gather(
            *(
                until_answered(
                    client, command, str(uuid.uuid4()), deadline, lambda: loop.time() - start, 10.0
                )
                for command in commands
            )
        )
    finally:
        await client.close()
    refused = [record for record in records if record.outcome != "accepted" or not record.reply]
    if refused:
        first = refused[0]
        raise RuntimeError(
            f"{len(refused)} of {len(records)} hotels not registered: {first.outcome} {first.problem}"
        )
    hotels = [
        SeededHotel(
            hotel_id=str(record.reply.get("hotel_id") or record.reply["aggregate_id"]),
            capacities={room["code"]: room["capacity"] for room in record.body["room_types"]},
        )
        for record in records
        if record.reply
    ]
    first_night = date.today() + timedelta(days=FIRST_NIGHT_IN_DAYS)
    return SeedData(hotels=hotels, first_night=first_night, scarce_rooms=plan.scarce_rooms, records=records)
