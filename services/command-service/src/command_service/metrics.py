"""Prometheus metrics of the command service, in a registry per app (nothing is registered at import)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from innkeeper_kit.metrics import process_registry


class Metrics:
    """Commands by outcome and their duration, the relay's rounds, the outbox, the dead letters."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry = registry or process_registry()
        self.commands_handled = Counter(
            "innkeeper_commands_total",
            "Commands handled, by command and answer status.",
            ["command", "status"],
            registry=registry,
        )
        self.commands_accepted = Counter(
            "innkeeper_commands_accepted_total", "Commands accepted (202).", ["command"], registry=registry
        )
        self.commands_rejected = Counter(
            "innkeeper_commands_rejected_total",
            "Commands rejected, by command and reason (the problem kind: invalid-input, business-rule, ...).",
            ["command", "reason"],
            registry=registry,
        )
        self.command_duration = Histogram(
            "innkeeper_command_duration_seconds", "Time to handle a command.", ["command"], registry=registry
        )
        self.events_published = Counter(
            "innkeeper_events_published_total", "Events the relay published (confirmed).", registry=registry
        )
        self.events_unroutable = Counter(
            "innkeeper_events_unroutable_total", "Events returned as unroutable.", registry=registry
        )
        self.relay_failures = Counter(
            "innkeeper_relay_failures_total",
            "Relay rounds that failed (broker or database).",
            registry=registry,
        )
        self.relay_turn_held = Counter(
            "innkeeper_relay_turn_held_total",
            "Relay rounds that found another replica's relay holding the turn.",
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            "innkeeper_outbox_backlog", "Unpublished events seen in the last relay round.", registry=registry
        )
        self.outbox_depth = Gauge(
            "innkeeper_outbox_depth",
            "Events in the outbox not yet published (sampled on scrape).",
            registry=registry,
        )
        self.outbox_oldest_age = Gauge(
            "innkeeper_outbox_oldest_age_seconds",
            "Age of the oldest unpublished event (0 when empty; on scrape).",
            registry=registry,
        )
        self.dead_lettered = Counter(
            "innkeeper_commands_dead_lettered_total",
            "Command messages sent to the dead-letter queue.",
            registry=registry,
        )
        self._by_command: dict[str, CommandMetrics] = {}

    def of_command(self, command: str) -> CommandMetrics:
        """The series of a command (the names are the few command types: the map stays small)."""
        if (series := self._by_command.get(command)) is None:
            series = self._by_command[command] = CommandMetrics(self, command)
        return series


class CommandMetrics:
    """The labelled series of one command, looked up once: `labels()` costs a lock and a dict
    lookup per call, several times per command."""

    def __init__(self, metrics: Metrics, command: str) -> None:
        self._metrics, self.command = metrics, command
        self.accepted = metrics.commands_accepted.labels(command)
        self.duration = metrics.command_duration.labels(command)
        self._handled: dict[str, Counter] = {}
        self._rejected: dict[str, Counter] = {}

    def handled(self, outcome: str) -> Counter:
        if (series := self._handled.get(outcome)) is None:
            series = self._handled[outcome] = self._metrics.commands_handled.labels(self.command, outcome)
        return series

    def rejected(self, reason: str) -> Counter:
        if (series := self._rejected.get(reason)) is None:
            series = self._rejected[reason] = self._metrics.commands_rejected.labels(self.command, reason)
        return series
