"""What each fault does to a system (a recording stand-in), how it ends, and the events it puts on the
wire, checked against the published contract (docs/asyncapi, docs/schemas)."""

import asyncio
import json
import signal
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # installed with check-jsonschema
import orjson
import pytest

from conformance import event_wire
from conformance.faults import Failpoint, KillReplica, KillService, StoreKill, TermService
from conformance.faults_events import poison_envelope
from conformance.faults_infra import Latency, Partition, PostgresRestart, RabbitRestart, RabbitStopped
from conformance.system import System

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


NO_SUCH_PID = 2**22 + 1000
"""Above Linux's largest pid_max: never a live process."""


@dataclass
class Proxy:
    calls: list[str]

    async def cut(self) -> None:
        self.calls.append("cut")

    async def restore(self) -> None:
        self.calls.append("restore")

    def latency(self, seconds: float) -> None:
        self.calls.append(f"latency {seconds:g}")


@dataclass
class Recorder:
    """What a fault asked of the system, in order."""

    calls: list[str] = field(default_factory=list)
    proxies: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.proxies = {name: Proxy(self.calls) for name in ("postgres", "rabbitmq", "mongodb")}

    def signal(self, service: str, signum: int, replica: int = 0) -> int:
        self.calls.append(f"{signal.Signals(signum).name} {service} {replica}")
        return NO_SUCH_PID + replica

    async def kill_store(self) -> None:
        self.calls.append("kill store")

    async def start_store(self) -> None:
        self.calls.append("start store")

    async def rabbitmq(self, action: str) -> None:
        self.calls.append(f"rabbitmq {action}")

    async def postgres(self, action: str) -> None:
        self.calls.append(f"postgres {action}")


async def run(fault: Any) -> list[str]:
    """inject, then heal: what the system was asked, the two parts separated by "|"."""
    system: Any = Recorder()
    typed: System = system
    await fault.inject(typed)
    system.calls.append("|")
    await fault.heal(typed)
    return list(system.calls)


async def test_process_faults_signal_the_service_and_leave_the_restart_to_the_supervisor() -> None:
    kill = KillService("projector")
    assert await run(kill) == ["SIGKILL projector 0", "|"]
    assert kill.pids == [NO_SUCH_PID]
    assert await run(TermService("command-service", replica=1)) == ["SIGTERM command-service 1", "|"]
    assert TermService("notifier").description == "SIGTERM notifier"
    assert KillService("query-service", 1).description == "kill -9 query-service replica 1"
    replicas = await run(KillReplica(0))
    assert replicas == [f"SIGKILL {s} 0" for s in ("command-service", "query-service", "projector")] + ["|"]
    with pytest.raises(ValueError, match="unknown service 'mongo'"):
        KillService("mongo")


async def test_a_terminated_service_is_healed_once_its_process_has_exited() -> None:
    victim = await asyncio.create_subprocess_exec("sleep", "60")
    term = TermService("projector", pids=[victim.pid])
    healing = asyncio.create_task(term.heal(Recorder()))  # type: ignore[arg-type]
    await asyncio.sleep(0.2)
    assert not healing.done()  # still draining
    victim.terminate()
    await asyncio.wait_for(healing, 10)  # exited (a zombie until reaped counts as gone)
    await victim.wait()


async def test_a_failpoint_fault_waits_for_the_crash_it_armed(tmp_path: Path) -> None:
    system: Any = Recorder()
    system.endpoints = SimpleNamespace(run_dir=tmp_path)
    fault = Failpoint("relay.after_publish_before_mark", 3, "command-service", within=20)
    assert fault.description == "command-service crashes at relay.after_publish_before_mark (reach 3)"
    victim = await asyncio.create_subprocess_exec("sleep", "60")
    waiting = asyncio.create_task(fault.inject(system))
    await asyncio.sleep(0.2)
    assert not waiting.done()  # no marker yet
    (tmp_path / "failpoints").mkdir()
    (tmp_path / "failpoints" / fault.name).write_text(f"{victim.pid}\n")
    await asyncio.sleep(0.2)
    assert not waiting.done()  # fired, its process not gone yet
    victim.kill()
    await asyncio.wait_for(waiting, 10)  # the zombie counts as gone
    await victim.wait()
    await fault.heal(system)
    assert system.calls == []  # nothing asked of the system


async def test_a_failpoint_that_never_fires_is_left_to_the_checker(tmp_path: Path) -> None:
    system: Any = Recorder()
    system.endpoints = SimpleNamespace(run_dir=tmp_path)
    await Failpoint("notifier.after_send_before_record", 3, "notifier", within=0.1).inject(system)


async def test_the_store_comes_back_after_its_kill_even_when_the_wait_is_cancelled() -> None:
    assert await run(StoreKill(restart_after=0.01)) == ["kill store", "start store", "|"]
    system: Any = Recorder()
    injecting = asyncio.create_task(StoreKill(restart_after=60).inject(system))
    await asyncio.sleep(0.05)
    injecting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await injecting
    assert system.calls == ["kill store", "start store"]


async def test_server_faults_bring_the_shared_servers_back() -> None:
    assert await run(RabbitRestart()) == ["rabbitmq stop_app", "rabbitmq start_app", "|"]
    assert await run(RabbitStopped()) == ["rabbitmq stop_app", "|", "rabbitmq start_app"]
    assert await run(PostgresRestart()) == ["postgres restart", "|"]


async def test_network_faults_act_on_the_dependency_proxy_and_undo_it() -> None:
    assert await run(Partition("mongodb")) == ["cut", "|", "restore"]
    assert await run(Latency("rabbitmq", 0.05)) == ["latency 0.05", "|", "latency 0"]
    assert Latency("postgres", 0.05).description == "+50 ms latency to postgres"
    with pytest.raises(ValueError, match="unknown dependency 'store'"):
        Partition("store")
    with pytest.raises(ValueError, match="positive"):
        Latency("postgres", 0)


def test_routing_keys_and_versions_come_from_the_asyncapi_document() -> None:
    catalog = event_wire.catalog()
    assert catalog["StayBooked"] == event_wire.EventType("booking.stay_booked", 3)
    assert catalog["HotelRegistered"].routing_key == "hotel.hotel_registered"
    for event_type, known in catalog.items():  # the contract's rule holds for every published type
        aggregate = known.routing_key.split(".")[0]
        assert event_wire.routing_key(event_type, aggregate) == known.routing_key
    assert event_wire.routing_key("RoomsRenamed", "hotel") == "hotel.rooms_renamed"  # not published yet


def test_an_events_row_is_published_as_the_relay_does() -> None:
    row = {
        "global_position": 7,
        "event_id": uuid.UUID("00000000-0000-4000-8000-000000000001"),
        "event_type": "BookingCancelled",
        "schema_version": 1,
        "aggregate_type": "booking",
        "aggregate_id": uuid.UUID("00000000-0000-4000-8000-000000000002"),
        "aggregate_version": 2,
        "partition_key": "hotel-1",
        "occurred_at": datetime(2030, 1, 2, 3, 4, 5, 60000, tzinfo=UTC),
        "correlation_id": "key-1",
        "causation_id": "key-1",
        "data": '{"reason": "x", "booking_id": "b"}',  # jsonb text, as PostgreSQL prints it
        "actor": None,
    }
    message, routing_key = event_wire.row_message(row)
    assert routing_key == "booking.booking_cancelled"
    assert message.body == (
        b'{"global_position":7,"event_id":"00000000-0000-4000-8000-000000000001",'
        b'"event_type":"BookingCancelled","schema_version":1,"aggregate_type":"booking",'
        b'"aggregate_id":"00000000-0000-4000-8000-000000000002","aggregate_version":2,'
        b'"partition_key":"hotel-1","occurred_at":"2030-01-02T03:04:05.060000+00:00",'
        b'"correlation_id":"key-1","causation_id":"key-1","data":{"reason": "x", "booking_id": "b"},'
        b'"actor":null}'
    )
    assert (message.message_id, message.correlation_id, message.type) == (
        "00000000-0000-4000-8000-000000000001",
        "key-1",
        "BookingCancelled",
    )
    assert (message.content_type, int(message.delivery_mode), message.priority) == ("application/json", 2, 0)
    assert message.headers == {
        "x-partition-key": "hotel-1",
        "x-event-type": "BookingCancelled",
        "x-correlation-id": "key-1",
    }
    with_actor = event_wire.envelope_body(row | {"actor": '{"role": "admin", "subject": "s"}'})
    assert with_actor.endswith(b'"actor":{"role": "admin", "subject": "s"}}')


def test_the_poison_is_a_valid_envelope_whose_data_breaks_only_the_stars_rule() -> None:
    hotel, event = uuid.uuid4(), uuid.uuid4()
    envelope = orjson.loads(orjson.dumps(poison_envelope(hotel, event)))
    jsonschema.validate(envelope, _schema("EventEnvelope"), format_checker=jsonschema.FormatChecker())
    errors = list(jsonschema.Draft202012Validator(_schema("HotelRegistered")).iter_errors(envelope["data"]))
    assert [(list(error.path), error.validator) for error in errors] == [(["stars"], "minimum")]
    assert envelope["partition_key"] == envelope["aggregate_id"] == envelope["data"]["hotel_id"] == str(hotel)
    assert (envelope["event_id"], envelope["aggregate_version"]) == (str(event), 1)


def _schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / f"{name}.json").read_text())
    return schema
