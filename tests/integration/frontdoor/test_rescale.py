"""`docker compose up --scale` behind the front door: nginx finds the replicas of a service by asking
the DNS for its name again once the answer is `valid=5s` old, so replicas added or removed are used or
dropped without a reload, and nginx serves before a service has any replica."""

from __future__ import annotations

import pytest

from frontdoor.deployment import Replicas
from frontdoor.dns import ReplicaDns
from frontdoor.nginx import FrontDoor
from frontdoor.traffic import CITY_ROUTE, eventually, read_city, tried

FIRST, SECOND = "127.0.0.2", "127.0.0.3"
RE_RESOLVED = 30  # seconds: nginx asks again after 5 s; generous for a busy machine
BATCH = 24


@pytest.mark.slow  # nginx asks the DNS again every 5 s: three rounds of that
def test_replicas_scaled_up_and_down_are_picked_up_without_reloading_nginx(
    front_door: FrontDoor, replica_dns: ReplicaDns, replicas: Replicas
) -> None:
    assert front_door.process is not None
    nginx = front_door.process.pid

    # No replica yet: the front door is up and answers 502 for the service.
    assert read_city(front_door, 1) == [502]

    # --scale query-service=1
    first = replicas.start("query-service", FIRST)
    replica_dns.answer("query-service", [FIRST])
    eventually(lambda: read_city(front_door, 1) == [200], RE_RESOLVED, "the first replica used")

    # --scale query-service=2: the new replica gets requests, the old one keeps getting them.
    second = replicas.start("query-service", SECOND)
    replica_dns.answer("query-service", [FIRST, SECOND])
    eventually(
        lambda: set(read_city(front_door, BATCH)) == {200} and second.reads(CITY_ROUTE) > 0,
        RE_RESOLVED,
        "requests reaching the added replica",
    )
    before = first.reads(CITY_ROUTE)
    assert read_city(front_door, BATCH) == [200] * BATCH
    assert first.reads(CITY_ROUTE) > before

    # --scale query-service=1: compose stops a replica (SIGTERM) and its name leaves the DNS. Every
    # request still succeeds; once nginx has asked again, none is dealt to the stopped replica at all.
    replica_dns.answer("query-service", [SECOND])
    assert first.terminate() == 0
    statuses: list[int] = []

    def stopped_replica_dropped() -> bool:
        logged = len(front_door.routed())
        statuses.extend(read_city(front_door, BATCH))
        return all(route == [SECOND] for route in tried(front_door, "GET", since=logged))

    eventually(stopped_replica_dropped, RE_RESOLVED, "nginx to stop dealing requests to the removed replica")
    assert set(statuses) == {200}, statuses
    assert front_door.process.poll() is None, "nginx stopped"
    assert front_door.process.pid == nginx, "nginx was restarted"
    assert "reconfiguring" not in front_door.errors(), "nginx was reloaded"
