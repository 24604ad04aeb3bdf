"""nginx with the project's front-door rules before two query-service and two command-service
processes: requests reach both replicas of each, and a replica killed with SIGKILL is routed around."""

from __future__ import annotations

from frontdoor.deployment import Replicas
from frontdoor.dns import ReplicaDns
from frontdoor.nginx import FrontDoor
from frontdoor.replicas import Replica
from frontdoor.traffic import CITY_ROUTE, read_city, register_hotels, tried

FIRST, SECOND = "127.0.0.2", "127.0.0.3"
REQUESTS = 24  # each request goes to a replica at random: one replica getting none is a 1 in 8 million chance


def _two_of_each(replicas: Replicas, dns: ReplicaDns) -> tuple[list[Replica], list[Replica]]:
    queries = [replicas.start("query-service", FIRST), replicas.start("query-service", SECOND)]
    commands = [replicas.start("command-service", FIRST), replicas.start("command-service", SECOND)]
    dns.answer("query-service", [FIRST, SECOND])
    dns.answer("command-service", [FIRST, SECOND])
    return queries, commands


def test_requests_reach_both_replicas_of_each_service(
    front_door: FrontDoor, replica_dns: ReplicaDns, replicas: Replicas
) -> None:
    queries, commands = _two_of_each(replicas, replica_dns)

    assert read_city(front_door, REQUESTS) == [200] * REQUESTS
    assert register_hotels(front_door, REQUESTS) == [202] * REQUESTS

    reads = [replica.reads(CITY_ROUTE) for replica in queries]
    accepted = [replica.accepted("RegisterHotel") for replica in commands]
    assert sum(reads) == REQUESTS, f"reads per query replica: {reads}"
    assert min(reads) > 0, f"reads per query replica: {reads}"
    assert sum(accepted) == REQUESTS, f"commands per command replica: {accepted}"  # each handled once
    assert min(accepted) > 0, f"commands per command replica: {accepted}"


def test_a_replica_killed_is_routed_around_for_reads_and_commands(
    front_door: FrontDoor, replica_dns: ReplicaDns, replicas: Replicas
) -> None:
    (query, dead_query), (command, dead_command) = _two_of_each(replicas, replica_dns)
    dead_query.kill()
    dead_command.kill()
    logged = len(front_door.routed())

    # The name still resolves to the dead replica's address (as Docker's DNS may for a few seconds, and
    # nginx's cache for up to `valid`): a request dealt to it finds the port closed and moves on.
    assert read_city(front_door, REQUESTS) == [200] * REQUESTS
    assert register_hotels(front_door, REQUESTS) == [202] * REQUESTS

    assert query.reads(CITY_ROUTE) == REQUESTS
    assert command.accepted("RegisterHotel") == REQUESTS  # each command handled once
    for method in ("GET", "POST"):
        routes = tried(front_door, method, since=logged)
        assert len(routes) == REQUESTS
        assert all(route[-1] == FIRST for route in routes), routes
        # A POST too: the dead replica refused the connection, so it never had the request.
        assert [SECOND, FIRST] in routes, f"no {method} was dealt to the dead replica first: {routes}"
