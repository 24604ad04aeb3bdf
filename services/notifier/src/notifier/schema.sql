-- The notifier's own records, in its own schema: one row per (event, channel, recipient).
-- The unique key is what makes a replayed or republished event send nothing new.
CREATE SCHEMA IF NOT EXISTS notifier;

CREATE TABLE IF NOT EXISTS notifier.deliveries (
    id               bigserial PRIMARY KEY,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    channel          text        NOT NULL,          -- mail | webhook
    recipient        text        NOT NULL,          -- an e-mail address, guest:<guest id> (sealed), a subscriber
    template         text        NOT NULL,
    aggregate_id     uuid        NOT NULL,
    aggregate_version integer    NOT NULL,
    global_position  bigint      NOT NULL,
    correlation_id   text        NOT NULL,
    envelope         jsonb       NOT NULL,
    state            text        NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'discarded', 'cancelled')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    claim            uuid,                          -- this claim's token: only its claimant finishes it
    traceparent      text,                          -- W3C trace context of the intake's span (tracing on)
    last_error       text,
    guest_id         text,                          -- the guest a mail goes to (their erasure cancels it)
    key_ids          uuid[]      NOT NULL DEFAULT '{}',  -- the guest data keys its event's sealed texts need
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (event_id, channel, recipient)
);

ALTER TABLE notifier.deliveries ADD COLUMN IF NOT EXISTS claim uuid;  -- records made before it existed
-- The send is a span of the event's trace, however much later it goes out (NULL: tracing was off).
ALTER TABLE notifier.deliveries ADD COLUMN IF NOT EXISTS traceparent text;

-- Personal data is sealed per guest: an erasure cancels the guest's open deliveries ('cancelled').
ALTER TABLE notifier.deliveries ADD COLUMN IF NOT EXISTS guest_id text;
ALTER TABLE notifier.deliveries ADD COLUMN IF NOT EXISTS key_ids uuid[] NOT NULL DEFAULT '{}';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'deliveries_state_check'
                   AND conrelid = 'notifier.deliveries'::regclass
                   AND pg_get_constraintdef(oid) LIKE '%cancelled%') THEN
        ALTER TABLE notifier.deliveries DROP CONSTRAINT IF EXISTS deliveries_state_check;
        ALTER TABLE notifier.deliveries ADD CONSTRAINT deliveries_state_check
            CHECK (state IN ('pending', 'sending', 'delivered', 'failed', 'discarded', 'cancelled'));
    END IF;
END $$;

-- What the dispatcher claims: due pending rows, and rows whose claimant died (lease over).
CREATE INDEX IF NOT EXISTS deliveries_due ON notifier.deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_leased ON notifier.deliveries (lease_until) WHERE state = 'sending';
-- One booking's messages to one recipient go out in the booking's order.
CREATE INDEX IF NOT EXISTS deliveries_order ON notifier.deliveries (aggregate_id, channel, recipient, aggregate_version)
    WHERE state IN ('pending', 'sending');
CREATE INDEX IF NOT EXISTS deliveries_failed ON notifier.deliveries (id) WHERE state = 'failed';
-- An erasure finds the open deliveries that need one of its keys.
CREATE INDEX IF NOT EXISTS deliveries_keys ON notifier.deliveries USING gin (key_ids)
    WHERE state IN ('pending', 'sending', 'failed');
