"""The notifier's metrics live in its runtime's registry: importing its modules registers nothing globally,
and two runtimes count apart."""

from __future__ import annotations

import importlib
import pkgutil

from prometheus_client import REGISTRY, generate_latest

import notifier
from notifier.metrics import Metrics


def test_importing_every_module_registers_no_metric_in_the_default_registry() -> None:
    for module in pkgutil.walk_packages(notifier.__path__, "notifier."):
        importlib.import_module(module.name)
    assert not {metric.name for metric in REGISTRY.collect() if metric.name.startswith("innkeeper_notifier")}


def test_two_runtimes_count_apart_and_answer_with_the_process_metrics() -> None:
    first, second = Metrics(), Metrics()
    first.deliveries.labels("mail", "delivered").inc()
    labels = {"channel": "mail", "outcome": "delivered"}
    assert first.registry.get_sample_value("innkeeper_notifier_deliveries_total", labels) == 1
    assert second.registry.get_sample_value("innkeeper_notifier_deliveries_total", labels) is None
    assert "process_cpu_seconds_total" in generate_latest(first.registry).decode()
