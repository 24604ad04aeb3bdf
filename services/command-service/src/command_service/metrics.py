"""Prometheus metrics of the command service, in a registry per app (nothing is registered at import)."""

from __future__ import annotations

from functools import partial

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from innkeeper_contracts import COMMANDS
from innkeeper_kit.metrics import process_registry

ACCEPTED = "accepted"
"""The `outcome` of an accepted command; every other outcome is a problem kind (`docs/problems.md`)."""
UNKNOWN_COMMAND = "unknown"
"""The `command` of a refusal naming no known command (an AMQP routing key, an unmatched route)."""


def _counter(registry: CollectorRegistry, name: str, documentation: str, *labels: str) -> Counter:
    # `innkeeper_<name>_total` on the wire: a counter's samples get `_total` whether named with it or not.
    return Counter(f"innkeeper_{name}", documentation, labels, registry=registry)


def _gauge(registry: CollectorRegistry, name: str, documentation: str) -> Gauge:
    return Gauge(f"innkeeper_{name}", documentation, registry=registry)


class Metrics:
    """Commands by outcome and their duration, the relay's rounds, the outbox, the dead letters."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry = registry or process_registry()
        counter, gauge = partial(_counter, registry), partial(_gauge, registry)
        self.commands = counter(
            "commands",
            "Commands answered, by command and outcome: accepted, or the problem kind of the refusal "
            "(invalid-input, business-rule, unavailable, ...), whether the mediator or an edge refused it.",
            "command",
            "outcome",
        )
        self.command_duration = Histogram(
            "innkeeper_command_duration_seconds", "Time to handle a command.", ["command"], registry=registry
        )
        self.events_published = counter("relay_events_published", "Events the relay published (confirmed).")
        self.events_unroutable = counter("relay_events_unroutable", "Events returned as unroutable.")
        self.relay_failures = counter("relay_failures", "Relay rounds that failed (broker or database).")
        self.relay_turn_held = counter(
            "relay_turn_held", "Relay rounds that found another replica's relay holding the turn."
        )
        self.outbox_depth = gauge(
            "outbox_depth", "Events in the outbox not yet published (sampled on scrape)."
        )
        self.outbox_oldest_age = gauge(
            "outbox_oldest_age_seconds", "Age of the oldest unpublished event (0 when empty; on scrape)."
        )
        self.dead_lettered = counter(
            "commands_dead_lettered", "Command messages sent to the dead-letter queue."
        )
        self._by_command: dict[str, CommandMetrics] = {}

    def of_command(self, command: str) -> CommandMetrics:
        """The series of a command (the names are the few command types: the map stays small)."""
        if (series := self._by_command.get(command)) is None:
            series = self._by_command[command] = CommandMetrics(self, command)
        return series

    def refused_early(self, command: str | None, kind: str) -> None:
        """Count a refusal made at an edge before the mediator (HTTP validation, an AMQP message not
        read): the command name comes from outside, so one that is no command counts as `unknown`."""
        self.of_command(command if command in COMMANDS else UNKNOWN_COMMAND).rejected(kind).inc()


class CommandMetrics:
    """The labelled series of one command, looked up once: `labels()` costs a lock and a dict
    lookup per call, several times per command."""

    def __init__(self, metrics: Metrics, command: str) -> None:
        self._commands, self.command = metrics.commands, command
        self.accepted = metrics.commands.labels(command, ACCEPTED)
        self.duration = metrics.command_duration.labels(command)
        self._rejected: dict[str, Counter] = {}

    def rejected(self, kind: str) -> Counter:
        """The series of refusals of this kind (a problem kind: the labels stay few)."""
        if (series := self._rejected.get(kind)) is None:
            series = self._rejected[kind] = self._commands.labels(self.command, kind)
        return series
