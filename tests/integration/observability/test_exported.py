"""Every metric an alert or the dashboard names is one a service exports: the services run as processes
on this test's infrastructure, a little traffic (a booking read back with its consistency token, a
rejected command, the guest's mail) makes their labelled series exist, and each /metrics is read. Every
series a service exports carries the `innkeeper_` prefix, apart from the standard collectors'."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flow.payloads import book_stay, register_hotel, today, unique_city
from prometheus_client.parser import text_string_to_metric_families
from testkit.auth import admin
from testkit.commands import HttpCommands
from testkit.innkeeper import Innkeeper
from testkit.mail import MailCatcher
from testkit.waiting import wait_until

from observability.files import expressions
from observability.promql import metric_names
from observability.story import book_and_read

OUTSIDE_SOURCES = {
    "up": "Prometheus, for every target it scrapes",
    "probe_success": "the blackbox exporter (job innkeeper-readyz)",
    "rabbitmq_detailed_queue_messages": "RabbitMQ's rabbitmq_prometheus plugin, /metrics/detailed",
}
"""Series the alerts may name that no Innkeeper service exports, and who does."""

RUNTIME = (
    "process_resident_memory_bytes",
    "process_cpu_seconds_total",
    "python_info",
    "python_gc_objects_collected_total",
)
"""What the process, platform and garbage-collector collectors add: every service exports them."""

STANDARD_PREFIXES = ("process_", "python_")
"""The standard collectors' families: the only ones a service exports without the `innkeeper_` prefix."""


def test_metric_names_are_read_out_of_promql() -> None:
    """The reader keeps metric names and drops functions, keywords, labels, strings and durations."""
    assert metric_names(
        'histogram_quantile(0.99, sum by (le, route) (rate(a_bucket{status=~"5.."}[5m] offset 1h)))'
        " / on (route) group_left (x) sum without (b) (c_total) > bool 0.25 or d unless max(e) > 1e3"
    ) == {"a_bucket", "c_total", "d", "e"}
    assert metric_names("sum by (status) (rate(f_total[$__rate_interval]))") == {"f_total"}
    assert metric_names('up{job=~"innkeeper-.*"} == 0') == {"up"}


def test_every_expression_names_a_metric() -> None:
    found = {where: metric_names(expression) for where, expression in expressions().items()}
    assert len(found) > 40
    assert [where for where, names in found.items() if not names] == []


@pytest.fixture
def mail(tmp_path: Path, log_dir: Path) -> Iterator[MailCatcher]:
    with MailCatcher(tmp_path / "mail", log_dir) as catcher:
        yield catcher


async def test_every_metric_an_alert_or_the_dashboard_names_is_exported(
    service_env: dict[str, str], log_dir: Path, mail: MailCatcher
) -> None:
    env = {**service_env, "RELAY_POLL_INTERVAL": "0.2", "SMTP_URL": mail.url, "NOTIFIER_POLL_SECONDS": "0.2"}
    system = Innkeeper(env, log_dir)
    try:
        await system.start(projectors=1, queries=1)
        await system.start_notifier()
        await book_and_read(system)  # accepted, projected, read back with its token
        await book_for_a_hotel_that_does_not_exist(system)
        await wait_until(lambda: len(mail.messages()) >= 1, 30, "the guest's confirmation mail")
        exported = {process.module: await scrape(process.url) for process in system.processes}
    finally:
        await system.close()

    assert set(exported) == {"command_service", "projector", "query_service", "notifier"}
    for module, names in exported.items():
        assert set(RUNTIME) <= names, f"{module} lacks {set(RUNTIME) - names}"
        unprefixed = sorted(name for name in names if not name.startswith(("innkeeper_", *STANDARD_PREFIXES)))
        assert unprefixed == [], f"{module} exports series without the innkeeper_ prefix"
    everywhere = set().union(*exported.values())
    named = {where: metric_names(expression) for where, expression in expressions().items()}
    missing = {where: sorted(names - everywhere - set(OUTSIDE_SOURCES)) for where, names in named.items()}
    assert {where: names for where, names in missing.items() if names} == {}


async def book_for_a_hotel_that_does_not_exist(system: Innkeeper) -> None:
    """A BookStay the command service rejects: the rejected outcome is a series too."""
    assert system.command is not None
    async with httpx.AsyncClient(base_url=system.command.url, headers=admin(), timeout=30) as client:
        unknown = book_stay(register_hotel("Nowhere", unique_city(), 3)["hotel_id"], "STE", today(), 1)
        assert (await HttpCommands(client).send("BookStay", unknown)).get("status") != "accepted"


async def scrape(url: str) -> set[str]:
    """The names of every sample a service's /metrics holds (a histogram's _bucket, _count, _sum too)."""
    async with httpx.AsyncClient(base_url=url, headers=admin(), timeout=10) as client:
        answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    return {
        sample.name for family in text_string_to_metric_families(answer.text) for sample in family.samples
    }
