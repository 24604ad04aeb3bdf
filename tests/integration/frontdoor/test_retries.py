"""What the front door does when a replica takes a request and dies before answering: a GET is passed
on to another replica (it is safe to repeat), a POST is not (the dead replica may have acted on it): the
client gets a 502 and retries it itself, with its Idempotency-Key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from frontdoor.deployment import REPLICA_PORTS, Replicas
from frontdoor.dns import ReplicaDns
from frontdoor.nginx import FrontDoor
from frontdoor.replicas import DyingReplica
from frontdoor.traffic import CITY_ROUTE, read_city, register_hotels

LIVE, DYING = "127.0.0.2", "127.0.0.3"
REQUESTS = 24


@pytest.fixture
def dying(front_door: FrontDoor) -> Iterator[dict[str, DyingReplica]]:
    """A dying replica of the query service and one of the command service, on DYING."""
    started = {
        service: DyingReplica(DYING, int(front_door.values[REPLICA_PORTS[service]]))
        for service in ("query-service", "command-service")
    }
    try:
        yield started
    finally:
        for replica in started.values():
            replica.close()


def test_a_get_is_passed_on_a_post_is_answered_502_and_never_sent_twice(
    front_door: FrontDoor, replica_dns: ReplicaDns, replicas: Replicas, dying: dict[str, DyingReplica]
) -> None:
    query = replicas.start("query-service", LIVE)
    command = replicas.start("command-service", LIVE)
    replica_dns.answer("query-service", [LIVE, DYING])
    replica_dns.answer("command-service", [LIVE, DYING])

    assert read_city(front_door, REQUESTS) == [200] * REQUESTS
    assert dying["query-service"].taken.get("GET", 0) > 0, "no GET was dealt to the dying replica"
    assert query.reads(CITY_ROUTE) == REQUESTS

    statuses = register_hotels(front_door, REQUESTS)
    assert set(statuses) == {202, 502}, statuses
    dead_ends = dying["command-service"].taken.get("POST", 0)
    assert statuses.count(502) == dead_ends  # each POST the dying replica took ended there
    assert command.accepted("RegisterHotel") == statuses.count(202)  # and no other went to both
