-- Who acted: every event records the caller of the command that wrote it ({"subject", "role"}; NULL on
-- events written before callers were identified).
ALTER TABLE events ADD COLUMN actor jsonb;

-- Idempotency keys belong to the caller who sent them: two callers using the same key never collide.
-- Keys written before callers were identified belong to nobody ('') and expire like the others.
ALTER TABLE idempotency_keys ADD COLUMN principal text NOT NULL DEFAULT '';
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (principal, key);
-- Expired keys are deleted oldest first, in small batches (`idempotency_store.forget_expired`).
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
