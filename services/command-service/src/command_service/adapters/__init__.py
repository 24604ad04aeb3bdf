"""Adapters: PostgreSQL write model, outbox relay, AMQP intake, the system clock."""
