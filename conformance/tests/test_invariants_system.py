"""The checks on what the system reports: projector status, queues, readiness."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from conformance import invariants
from conformance.checks_broker import Backlog, queue_faults, repaired, shard_faults
from conformance.invariants import parked_as_expected, ready_again


def test_a_projector_behind_the_head_or_reporting_a_mismatch_is_a_fault() -> None:
    caught_up = {"applied_position": 40, "lag_events": 0}
    assert shard_faults([caught_up, dict(caught_up)], 40) == []
    assert shard_faults([{"applied_position": 38, "lag_events": 2}], 40) == ["applied 38 lag 2 head 40"]
    assert shard_faults([caught_up | {"mismatch": 3}], 40) == ["mismatch 3"]
    assert shard_faults(["http://p: ConnectError"], 40) == ["http://p: ConnectError"]
    behind = caught_up | {"reconcile": {"state": "behind", "missing_events": 2, "repaired_events": 0}}
    assert shard_faults([behind], 40) == ["reconcile behind missing 2"]
    healed = caught_up | {"reconcile": {"state": "ok", "missing_events": 0, "repaired_events": 5}}
    assert shard_faults([healed], 40) == []
    assert repaired([healed, "down", caught_up]) == 5


def test_every_working_queue_needs_a_consumer_and_no_backlog_holding_queues_stay_empty() -> None:
    queues = [
        {"name": "innkeeper.projector.shard.0", "consumers": 2, "messages": 0},
        {"name": "innkeeper.notifier.dead-letter", "consumers": 0, "messages": 0},
        {"name": "innkeeper.replies.u.c", "consumers": 1, "messages": 0, "exclusive": True},
    ]
    assert queue_faults(queues, expect_parked=0) == []
    idle = [{"name": "innkeeper.projector.shard.1", "consumers": 0, "messages": 0}]
    assert queue_faults(idle, 0) == ["innkeeper.projector.shard.1 0 consumers 0 messages"]
    dead = [{"name": "innkeeper.commands.dead-letter", "consumers": 0, "messages": 1}]
    assert queue_faults(dead, 0) == ["innkeeper.commands.dead-letter holds 1"]
    assert queue_faults(dead, 1) == []


def test_readiness_within_the_bound_and_parked_as_expected() -> None:
    assert ready_again(None, 10).detail == "no fault"
    assert ready_again(2.5, 10).ok
    assert not ready_again(12.0, 10).ok
    assert parked_as_expected(1, 1).ok
    assert not parked_as_expected(1, 0).ok


async def test_quiet_means_no_command_left_in_a_queue_and_quiet_for_a_while(monkeypatch: Any) -> None:
    """Found by rabbitmq-stopped-20s: commands the load had given up on still waited in the intake queue,
    were applied after the checks began, and left an outbox row and a projector lag in the verdicts."""
    intake = [{"name": "innkeeper.commands", "consumers": 1, "messages": 3}]
    answers = iter(
        [intake, intake, *([[{"name": "innkeeper.commands", "consumers": 1, "messages": 0}]] * 99)]
    )
    calls = {"queues": 0}

    async def backlog(dsn: str) -> Backlog:
        return Backlog(head=10, outbox=0, deliveries_open=0)

    async def status(urls: list[str], token: str) -> list[dict[str, Any] | str]:
        return [{"applied_position": 10, "lag_events": 0}]

    async def queues(*where: str) -> list[dict[str, Any]]:
        calls["queues"] += 1
        return next(answers)

    for name, fake in {"backlog": backlog, "projector_status": status, "queues": queues}.items():
        monkeypatch.setattr(invariants, name, fake)
    monkeypatch.setattr(invariants, "POLL", 0.01)
    monkeypatch.setattr(invariants, "QUIET_FOR", 0.1)
    endpoints: Any = SimpleNamespace(
        postgres_dsn="",
        projector_urls=[],
        admin_token="",
        management_url="",
        management_user="",
        management_password="",
        vhost="v",
    )
    waited = await invariants.quiesce(endpoints, timeout=10)
    assert 0.1 <= waited < 10
    assert calls["queues"] >= 4  # two polls with commands waiting, then quiet for QUIET_FOR
