"""The projector's metrics live in a registry per process: importing registers nothing globally."""

from __future__ import annotations

import importlib
import pkgutil

from prometheus_client import REGISTRY, generate_latest

import projector
from projector.metrics import Metrics


def test_importing_every_module_registers_no_metric_in_the_default_registry() -> None:
    for module in pkgutil.walk_packages(projector.__path__, "projector."):
        importlib.import_module(module.name)
    names = {metric.name for metric in REGISTRY.collect()}
    assert not {name for name in names if name.startswith("projector_")}


def test_two_processes_worth_of_metrics_count_apart_and_answer_like_the_default_registry() -> None:
    first, second = Metrics(), Metrics()
    first.parked.inc(2)
    assert first.registry.get_sample_value("innkeeper_projector_events_parked_total") == 2
    assert second.registry.get_sample_value("innkeeper_projector_events_parked_total") == 0
    text = generate_latest(first.registry).decode()
    assert "process_cpu_seconds_total" in text  # the process's own metrics, as from the default registry
    assert "python_gc_objects_collected_total" in text
