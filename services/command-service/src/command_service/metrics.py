"""Prometheus metrics of the command service."""

from prometheus_client import Counter, Gauge, Histogram

COMMANDS_HANDLED = Counter(
    "innkeeper_commands_total", "Commands handled, by command and answer status.", ["command", "status"]
)
COMMANDS_ACCEPTED = Counter("innkeeper_commands_accepted_total", "Commands accepted (202).", ["command"])
COMMANDS_REJECTED = Counter(
    "innkeeper_commands_rejected_total",
    "Commands rejected, by command and reason (the problem type: invalid-command, business-rule, ...).",
    ["command", "reason"],
)
COMMAND_DURATION = Histogram("innkeeper_command_duration_seconds", "Time to handle a command.", ["command"])
EVENTS_PUBLISHED = Counter("innkeeper_events_published_total", "Events the relay published (confirmed).")
EVENTS_UNROUTABLE = Counter("innkeeper_events_unroutable_total", "Events returned as unroutable.")
RELAY_FAILURES = Counter("innkeeper_relay_failures_total", "Relay rounds that failed (broker or database).")
OUTBOX_BACKLOG = Gauge("innkeeper_outbox_backlog", "Unpublished events seen in the last relay round.")
OUTBOX_DEPTH = Gauge("innkeeper_outbox_depth", "Events in the outbox not yet published (sampled on scrape).")
OUTBOX_OLDEST_AGE = Gauge(
    "innkeeper_outbox_oldest_age_seconds", "Age of the oldest unpublished event (0 when empty; on scrape)."
)
AMQP_DEAD_LETTERED = Counter(
    "innkeeper_commands_dead_lettered_total", "Command messages sent to the dead-letter queue."
)
