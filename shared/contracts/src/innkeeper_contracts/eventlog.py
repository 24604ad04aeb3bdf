"""How the event log's writer and its readers by position agree on which positions are final: the lock
key and the two statements of a horizon read. Why a horizon, and why it is enough: docs/architecture.md,
"Event log and global position".
"""

from typing import Final

APPEND_LOCK: Final = 7_301_002
"""Advisory lock key of the event log: appenders hold it SHARED, a horizon reader takes it EXCLUSIVE."""

WAIT_FOR_APPENDS: Final = f"SELECT pg_advisory_xact_lock({APPEND_LOCK})"
"""First statement of a horizon read: waits until no append is in flight (the lock is held to COMMIT)."""

READ_HORIZON: Final = "SELECT coalesce(max(global_position), 0) FROM events"
"""Second statement of a horizon read (after `WAIT_FOR_APPENDS`, same transaction): the horizon."""
