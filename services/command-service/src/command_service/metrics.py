"""Prometheus metrics of the command service."""

from prometheus_client import Counter, Gauge, Histogram

COMMANDS_HANDLED = Counter(
    "innkeeper_commands_total", "Commands handled, by command and answer status.", ["command", "status"]
)
COMMANDS_ACCEPTED = Counter("innkeeper_commands_accepted_total", "Commands accepted (202).", ["command"])
COMMANDS_REJECTED = Counter(
    "innkeeper_commands_rejected_total",
    "Commands rejected, by command and reason (the problem kind: invalid-input, business-rule, ...).",
    ["command", "reason"],
)
COMMAND_DURATION = Histogram("innkeeper_command_duration_seconds", "Time to handle a command.", ["command"])
EVENTS_PUBLISHED = Counter("innkeeper_events_published_total", "Events the relay published (confirmed).")
EVENTS_UNROUTABLE = Counter("innkeeper_events_unroutable_total", "Events returned as unroutable.")
RELAY_FAILURES = Counter("innkeeper_relay_failures_total", "Relay rounds that failed (broker or database).")
RELAY_TURN_HELD = Counter(
    "innkeeper_relay_turn_held_total", "Relay rounds that found another replica's relay holding the turn."
)
OUTBOX_BACKLOG = Gauge("innkeeper_outbox_backlog", "Unpublished events seen in the last relay round.")
OUTBOX_DEPTH = Gauge("innkeeper_outbox_depth", "Events in the outbox not yet published (sampled on scrape).")
OUTBOX_OLDEST_AGE = Gauge(
    "innkeeper_outbox_oldest_age_seconds", "Age of the oldest unpublished event (0 when empty; on scrape)."
)
AMQP_DEAD_LETTERED = Counter(
    "innkeeper_commands_dead_lettered_total", "Command messages sent to the dead-letter queue."
)


class CommandMetrics:
    """The labelled series of one command, looked up once: `labels()` costs a lock and a dict
    lookup per call, several times per command."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.accepted = COMMANDS_ACCEPTED.labels(command)
        self.duration = COMMAND_DURATION.labels(command)
        self._handled: dict[str, Counter] = {}
        self._rejected: dict[str, Counter] = {}

    def handled(self, outcome: str) -> Counter:
        if (series := self._handled.get(outcome)) is None:
            series = self._handled[outcome] = COMMANDS_HANDLED.labels(self.command, outcome)
        return series

    def rejected(self, reason: str) -> Counter:
        if (series := self._rejected.get(reason)) is None:
            series = self._rejected[reason] = COMMANDS_REJECTED.labels(self.command, reason)
        return series


_BY_COMMAND: dict[str, CommandMetrics] = {}


def command_metrics(command: str) -> CommandMetrics:
    """The series of a command (the names are the few command types: the map stays small)."""
    if (metrics := _BY_COMMAND.get(command)) is None:
        metrics = _BY_COMMAND[command] = CommandMetrics(command)
    return metrics
