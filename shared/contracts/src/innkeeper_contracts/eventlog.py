"""How the event log's writer and its readers by position agree on which positions are final.

The command service appends under `pg_advisory_xact_lock_shared(APPEND_LOCK)`, taken before it draws
positions and held until COMMIT: appends run in parallel, so positions may become visible out of order.
A reader that scans `global_position > last` and must not skip a row first reads the horizon, in one
short transaction: `WAIT_FOR_APPENDS` (the lock in EXCLUSIVE mode: granted once every in-flight append
committed or rolled back; later appends queue behind it, so the wait is short), then `READ_HORIZON` in a
second statement (under READ COMMITTED its snapshot is taken after the wait), then COMMIT. Every
position at or below the horizon is final: committed, or never will be. Read-only transactions may
take advisory locks.
"""

from typing import Final

APPEND_LOCK: Final = 7_301_002
"""Advisory lock key of the event log: appenders hold it SHARED, a horizon reader takes it EXCLUSIVE."""

WAIT_FOR_APPENDS: Final = f"SELECT pg_advisory_xact_lock({APPEND_LOCK})"
"""First statement of a horizon read: waits until no append is in flight (the lock is held to COMMIT)."""

READ_HORIZON: Final = "SELECT coalesce(max(global_position), 0) FROM events"
"""Second statement of a horizon read (after `WAIT_FOR_APPENDS`, same transaction): the horizon."""
