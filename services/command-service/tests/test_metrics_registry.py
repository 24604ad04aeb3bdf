"""The command service's metrics live in a registry per app: importing registers nothing globally."""

from __future__ import annotations

import importlib
import pkgutil

from prometheus_client import REGISTRY, generate_latest

import command_service
from command_service.metrics import Metrics


def test_importing_every_module_registers_no_metric_in_the_default_registry() -> None:
    for module in pkgutil.walk_packages(command_service.__path__, "command_service."):
        importlib.import_module(module.name)
    names = {metric.name for metric in REGISTRY.collect()}
    assert not {name for name in names if name.startswith("innkeeper_")}


def test_two_apps_count_apart_under_the_same_names_and_answer_like_the_default_registry() -> None:
    first, second = Metrics(), Metrics()
    first.of_command("BookStay").rejected("business-rule").inc()
    first.of_command("BookStay").rejected("business-rule").inc()
    labels = {"command": "BookStay", "outcome": "business-rule"}
    assert first.registry.get_sample_value("innkeeper_commands_total", labels) == 2
    assert second.registry.get_sample_value("innkeeper_commands_total", labels) is None
    text = generate_latest(first.registry).decode()
    assert "process_cpu_seconds_total" in text  # the process's own metrics, as from the default registry
    assert "innkeeper_outbox_depth 0.0" in text


def test_a_refusal_at_an_edge_counts_once_and_a_name_that_is_no_command_as_unknown() -> None:
    metrics = Metrics()
    metrics.refused_early("BookStay", "invalid-input")
    metrics.refused_early("DropAllTables", "not-found")  # an AMQP routing key: anything a sender chose
    metrics.refused_early(None, "unauthenticated")
    value = metrics.registry.get_sample_value
    assert value("innkeeper_commands_total", {"command": "BookStay", "outcome": "invalid-input"}) == 1
    assert value("innkeeper_commands_total", {"command": "unknown", "outcome": "not-found"}) == 1
    assert value("innkeeper_commands_total", {"command": "unknown", "outcome": "unauthenticated"}) == 1
    names = {
        sample.labels.get("command") for family in metrics.registry.collect() for sample in family.samples
    }
    assert "DropAllTables" not in names
