-- Personal data sealed per guest (crypto-shredding, docs/architecture.md): each guest's data key, wrapped
-- by a master key (PII_MASTER_KEYS). One live key per guest; erasing the guest deletes the row, and every
-- text sealed under it no longer opens anywhere. A later booking by the guest makes a new key (new id).
-- The projector and the notifier read this table (`innkeeper_kit.personal.data_keys`).
CREATE TABLE IF NOT EXISTS guest_keys (
    key_id        uuid        PRIMARY KEY,
    guest_id      text        NOT NULL UNIQUE,
    master_key_id text        NOT NULL,
    wrapped_key   bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The key a booking's personal data was last sealed under (NULL: a booking written before sealing, or its
-- guest's key erased since). The foreign key is what keeps a key erased by another replica from sealing new
-- data: a write naming a key that is gone fails, and the command runs again with the guest's new key; an
-- erasure waits for a write that already checked the key, and then finds its booking.
ALTER TABLE bookings ADD COLUMN IF NOT EXISTS guest_key_id uuid
    REFERENCES guest_keys (key_id) ON DELETE SET NULL;
CREATE INDEX IF NOT EXISTS bookings_by_guest_key ON bookings (guest_key_id);

-- The notifier reads this table (and nothing else of the command service) through the group role
-- guest_key_readers that deploy/postgres/service-roles.sql makes; that script may run before this
-- migration (a fresh volume) or after it (an upgrade), so each grants what the other finds missing.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'guest_key_readers') THEN
        GRANT SELECT ON TABLE guest_keys TO guest_key_readers;
    END IF;
END
$$;
