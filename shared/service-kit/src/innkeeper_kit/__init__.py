"""What Innkeeper's services do alike: logging, bearer-token auth, problem answers, settings base.

The wire vocabulary (commands, events, documents, AMQP names) stays in `innkeeper_contracts`.
"""
