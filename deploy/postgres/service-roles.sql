-- One PostgreSQL role per service, each with only what its code needs (docs/operations.md, "PostgreSQL
-- roles"). Run by psql as the database owner (POSTGRES_USER, who also runs the migrations) with the
-- variables owner, command_role/command_password, projector_role/projector_password and
-- notifier_role/notifier_password. Safe to run again: it creates what is missing, resets the passwords
-- and re-grants, so it also upgrades a database made before these roles.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

SELECT format('CREATE ROLE %I LOGIN', name)
FROM unnest(ARRAY[:'command_role', :'projector_role', :'notifier_role']) AS name
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec

ALTER ROLE :"command_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'command_password';
ALTER ROLE :"projector_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'projector_password';
ALTER ROLE :"notifier_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'notifier_password';

-- Nobody but these roles and the owner connects; nobody else creates anything in `public`.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I', current_database(),
              :'command_role', :'projector_role', :'notifier_role') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"command_role", :"projector_role";

-- The command service reads and writes the write model, the event log, the outbox and the idempotency
-- keys; the migrations (run as the owner) make the tables, so grants go to what exists and what comes.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"command_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"command_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"command_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO :"command_role";

-- The projector only reads the event log (to heal gaps and to rebuild).
GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"projector_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT ON TABLES TO :"projector_role";

-- The notifier reads one table of the command service, the guests' data keys (`guest_keys`, to open a
-- mail's sealed name and address when it sends it), through the group role guest_key_readers: the
-- command service's migration 007 grants it SELECT when it makes the table, this script when the table
-- is there already (it runs before the migrations on a fresh volume, after them on an upgrade).
SELECT 'CREATE ROLE guest_key_readers NOLOGIN'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'guest_key_readers') \gexec
SELECT 'GRANT SELECT ON TABLE public.guest_keys TO guest_key_readers'
WHERE to_regclass('public.guest_keys') IS NOT NULL \gexec
GRANT guest_key_readers TO :"notifier_role";
GRANT USAGE ON SCHEMA public TO :"notifier_role";

-- Beside those keys the notifier reads nothing of the command service: it owns its schema `notifier` and
-- makes its own tables there at start (its `CREATE SCHEMA IF NOT EXISTS` needs CREATE on the database even when the
-- schema exists: that lets it make schemas, never touch another's).
SELECT format('GRANT CREATE ON DATABASE %I TO %I', current_database(), :'notifier_role') \gexec
CREATE SCHEMA IF NOT EXISTS notifier AUTHORIZATION :"notifier_role";
ALTER SCHEMA notifier OWNER TO :"notifier_role";
SELECT format('ALTER TABLE notifier.%I OWNER TO %I', tablename, :'notifier_role')
FROM pg_tables WHERE schemaname = 'notifier' \gexec
