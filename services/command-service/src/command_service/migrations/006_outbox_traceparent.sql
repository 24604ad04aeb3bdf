-- The W3C traceparent of the request that wrote each outbox row (NULL while tracing is off): the relay
-- publishes the event as a child of that request's trace (`adapters/publish_spans.py`).
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS traceparent text;
