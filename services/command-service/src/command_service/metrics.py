"""Prometheus metrics of the command service."""

from prometheus_client import Counter, Gauge, Histogram

COMMANDS_HANDLED = Counter(
    "innkeeper_commands_total", "Commands handled, by command and answer status.", ["command", "status"]
)
COMMAND_DURATION = Histogram("innkeeper_command_duration_seconds", "Time to handle a command.", ["command"])
EVENTS_PUBLISHED = Counter("innkeeper_events_published_total", "Events the relay published (confirmed).")
EVENTS_UNROUTABLE = Counter("innkeeper_events_unroutable_total", "Events returned as unroutable.")
RELAY_FAILURES = Counter("innkeeper_relay_failures_total", "Relay rounds that failed (broker or database).")
OUTBOX_BACKLOG = Gauge("innkeeper_outbox_backlog", "Unpublished events seen in the last relay round.")
AMQP_DEAD_LETTERED = Counter(
    "innkeeper_commands_dead_lettered_total", "Command messages sent to the dead-letter queue."
)
