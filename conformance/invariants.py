"""After a scenario: wait for the system to go quiet, then check every invariant from the outside.

The checker shares no code path with the services: it reads PostgreSQL with raw SQL, MongoDB with pymongo,
RabbitMQ through its management API, the mails as files, and asks the services only over HTTP. The one
service code it runs is `python -m projector verify`, as a subprocess (the issue's "live == rebuild")."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from conformance.checks_broker import (
    Backlog,
    backlog,
    holding,
    no_idle_consumers,
    outbox_drained,
    projector_status,
    queues,
    repaired,
    shard_faults,
)
from conformance.checks_inventory import no_overbooking, recompute
from conformance.checks_log import (
    accepted_exactly_once,
    by_correlation,
    read_log,
    rejected_changed_nothing,
    unanswered_at_most_once,
)
from conformance.checks_read import (
    ReadModel,
    checkpoint_faults,
    expected_from,
    read_model,
    read_model_has_effects,
)
from conformance.checks_side_effects import failpoint_fired, one_mail_per_booking, read_mails, verify
from conformance.checks_verdict import Verdict, first
from conformance.journal import Journal
from conformance.scenarios import Scenario
from conformance.system import Endpoints

__all__ = ["Verdict", "check", "quiesce"]
log = logging.getLogger(__name__)
POLL = 0.5
QUIET_FOR = 6.0


async def _quiet(endpoints: Endpoints) -> bool:
    try:
        state: Backlog = await backlog(endpoints.postgres_dsn)
        statuses = await projector_status(endpoints.projector_urls, endpoints.admin_token)
        where = (endpoints.management_url, endpoints.management_user, endpoints.management_password)
        listed = await queues(*where, endpoints.vhost)
    except Exception as error:  # a dependency still down: not quiet yet
        log.debug("quiesce: %r", error)
        return False
    idle = state.outbox == 0 and state.deliveries_open == 0
    # A command the load gave up on may still wait in the intake queue and be applied later: not quiet.
    waiting = [queue for queue in listed if not holding(str(queue["name"])) and queue.get("messages")]
    return idle and not waiting and not shard_faults(statuses, state.head)


async def quiesce(endpoints: Endpoints, timeout: float = 90) -> float:  # noqa: ASYNC109  (the design's name)
    """Seconds until the outbox is empty, no queue but the holding ones has messages, every projector
    replica reports the log head applied and the notifier has no delivery pending or sending — all of it
    for `QUIET_FOR` seconds on end, longer than the management API's sampling of queue depths; at
    `timeout` it returns anyway (the verdicts say what is stuck)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    quiet_since: float | None = None
    while loop.time() - start < timeout:
        if not await _quiet(endpoints):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = loop.time()
        elif loop.time() - quiet_since >= QUIET_FOR:
            break
        await asyncio.sleep(POLL)
    return loop.time() - start


async def every_shard_applied(endpoints: Endpoints, head: int, faults: list[str]) -> Verdict:
    statuses = await projector_status(endpoints.projector_urls, endpoints.admin_token)
    replicas = shard_faults(statuses, head)
    detail = (
        f"{len(statuses)} replicas at head {head:,}: {len(replicas)} behind or mismatched; "
        f"{len(faults):,} aggregates with a checkpoint short of the log; {repaired(statuses):,} events "
        "repaired by reconciliation"
    )
    return Verdict("every-shard-applied", not replicas and not faults, detail + first(replicas + faults))


def ready_again(ready_seconds: float | None, bound: float) -> Verdict:
    if ready_seconds is None:
        return Verdict("ready-again", True, "no fault")
    ok = ready_seconds <= bound
    return Verdict("ready-again", ok, f"ready {ready_seconds:.2f} s after the heal (bound {bound:g} s)")


def parked_as_expected(parked: int, expected: int) -> Verdict:
    return Verdict("parked-as-expected", parked == expected, f"{parked:,} parked, {expected:,} expected")


def _failed(name: str, error: BaseException) -> Verdict:
    return Verdict(name, False, f"could not check: {type(error).__name__}: {error}".replace("\n", " ")[:300])


async def _guarded(name: str, check: Awaitable[Verdict]) -> Verdict:
    try:
        return await check
    except Exception as error:  # a part that cannot be read fails that verdict, not the others
        return _failed(name, error)


def _safely(name: str, check: Callable[[], Verdict]) -> Verdict:
    try:
        return check()
    except Exception as error:
        return _failed(name, error)


async def check(
    endpoints: Endpoints,
    journal: Journal,
    scenario: Scenario,
    ready_seconds: float | None,
    ready_bound: float = 10.0,
) -> list[Verdict]:
    """One verdict per invariant, always the same ones in the same order."""
    records = journal.records()
    try:
        events = await read_log(endpoints.postgres_dsn)
    except Exception as error:
        return [_failed("event-log", error), ready_again(ready_seconds, ready_bound)]
    grouped, inventory, expected = by_correlation(events), recompute(events), expected_from(events)
    head = events[-1].position if events else 0
    reading = read_model(endpoints.mongodb_url, endpoints.mongodb_database)
    model: ReadModel | Exception
    try:
        model = await reading
    except Exception as error:
        model = error

    def with_model(name: str, check: Callable[[ReadModel], Verdict]) -> Verdict:
        return _failed(name, model) if isinstance(model, Exception) else _safely(name, lambda: check(model))

    async def outbox() -> Verdict:
        return outbox_drained((await backlog(endpoints.postgres_dsn)).outbox)

    async def shards() -> Verdict:
        if isinstance(model, Exception):
            raise model
        return await every_shard_applied(endpoints, head, checkpoint_faults(expected, model))

    broker = no_idle_consumers(
        endpoints.management_url,
        endpoints.management_user,
        endpoints.management_password,
        endpoints.vhost,
        scenario.expect_parked,
    )
    mails = read_mails(endpoints.mail_dir)
    return [
        _safely("accepted-exactly-once", lambda: accepted_exactly_once(records, grouped)),
        _safely("unanswered-at-most-once", lambda: unanswered_at_most_once(records, grouped)),
        _safely("rejected-changed-nothing", lambda: rejected_changed_nothing(records, grouped)),
        _safely("no-overbooking", lambda: no_overbooking(inventory)),
        await _guarded("outbox-drained", outbox()),
        await _guarded("every-shard-applied", shards()),
        await _guarded("verify", verify(endpoints.env)),
        with_model("read-model-has-effects", lambda m: read_model_has_effects(expected, inventory, m)),
        _safely("one-mail-per-booking", lambda: one_mail_per_booking(mails, len(expected.bookings))),
        ready_again(ready_seconds, ready_bound),
        await _guarded("no-idle-consumers", broker),
        with_model("parked-as-expected", lambda m: parked_as_expected(m.parked, scenario.expect_parked)),
        failpoint_fired(endpoints.run_dir, scenario.expect_failpoint),
    ]
