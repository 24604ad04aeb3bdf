"""The open-loop load: commands at a steady rate over HTTP and AMQP clients, whatever the answers do.

Each command is its own task, so a slow or lost answer never delays the next send; its retries keep the
key and body (conformance.attempts) until `answer_grace` after the load stopped."""

import asyncio
import logging
import uuid
from dataclasses import dataclass
from typing import Protocol

from conformance.attempts import Client, Deadline, until_answered
from conformance.commands import Command, CommandMix, SeedData
from conformance.journal import Journal
from conformance.transport_amqp import AmqpClient
from conformance.transport_http import HttpClient

log = logging.getLogger(__name__)
MAX_IN_FLIGHT = 2000  # past this a command is skipped, not queued: queuing would close the loop


@dataclass(frozen=True)
class LoadPlan:
    rate: float = 40.0  # commands per second, all clients together
    seconds: float = 20.0  # the load stops after this, or when `stop` is set
    clients: int = 4  # half HTTP (rounded up), half AMQP
    hotels: int = 12
    scarce_rooms: int = 2  # capacity of the contended room type
    seed: int = 1
    answer_grace: float = 20.0  # retries go on this long after the load stopped
    reply_timeout: float = 5.0  # one attempt's wait for its answer


class LoadEndpoints(Protocol):
    """What the load needs of conformance.system.Endpoints."""

    @property
    def command_urls(self) -> list[str]: ...
    @property
    def amqp_url(self) -> str: ...
    @property
    def admin_token(self) -> str: ...


@dataclass
class LoadStats:
    planned: int = 0  # commands the schedule asked for
    sent: int = 0
    skipped: int = 0  # over MAX_IN_FLIGHT
    seconds: float = 0.0  # from the first send to the load's stop

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def open_clients(endpoints: LoadEndpoints, plan: LoadPlan) -> list[HttpClient | AmqpClient]:
    http_count = (plan.clients + 1) // 2
    clients: list[HttpClient | AmqpClient] = [
        HttpClient(f"http-{n}", endpoints.command_urls, endpoints.admin_token) for n in range(http_count)
    ]
    for n in range(plan.clients - http_count):
        clients.append(await AmqpClient(f"amqp-{n}", endpoints.amqp_url).open())
    return clients


async def drive(
    endpoints: LoadEndpoints,
    plan: LoadPlan,
    data: SeedData,
    journal: Journal,
    stop: asyncio.Event,
    stats: LoadStats | None = None,
) -> None:
    """Send the mix until `stop` is set or `plan.seconds` passed; return when every command is recorded."""
    stats = stats if stats is not None else LoadStats()
    clients = await open_clients(endpoints, plan)
    mix, deadline, in_flight = CommandMix(data, plan.seed), Deadline(), set[asyncio.Task[None]]()
    loop = asyncio.get_running_loop()
    start = loop.time()

    def clock() -> float:
        return loop.time() - start

    async def run(client: Client, command: Command) -> None:
        key = str(uuid.uuid4())
        record = await until_answered(client, command, key, deadline, clock, plan.reply_timeout)
        journal.append(record)
        if record.outcome == "accepted" and command.name == "BookStay" and record.reply:
            mix.booking_accepted(str(record.reply.get("booking_id") or record.reply["aggregate_id"]))

    try:
        while not stop.is_set() and clock() < plan.seconds:
            delay = stats.planned / plan.rate - clock()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                    break
                except TimeoutError:
                    pass
            client, command = clients[stats.planned % len(clients)], mix.next()
            stats.planned += 1
            if len(in_flight) >= MAX_IN_FLIGHT:
                stats.skipped += 1
                continue
            task = loop.create_task(run(client, command))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            stats.sent += 1
        stats.seconds = clock()
        deadline.start(plan.answer_grace)
        log.info(
            "load stopped: %d sent in %.1f s, %d awaiting an answer",
            stats.sent,
            stats.seconds,
            len(in_flight),
        )
        await asyncio.gather(*in_flight)
    finally:
        for task in in_flight:
            task.cancel()
        for client in clients:
            await client.close()
