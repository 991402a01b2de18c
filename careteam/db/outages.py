"""Which database errors are an outage (gone when tried again) rather than a fault.

A PostgreSQL restart drops every open connection, and a SQLite writer gives up after the busy
timeout while another holds the lock: the work was rolled back and can simply be tried again.
The web answer to an outage (503 with ``Retry-After``) is :mod:`careteam.web.outage`; the
engine's own code and the plugin events use the same test.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc

# SQLite's words for "another connection held the lock past the busy timeout".
_SQLITE_LOCKED = ("database is locked", "database table is locked")


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` itself (not what caused it) says the database was out of reach."""
    if isinstance(error, sa_exc.TimeoutError):
        return True  # no pooled connection came free in time
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True  # the driver reported a disconnect
    if isinstance(error.orig, sqlite3.OperationalError):
        # SQLite's other operational errors (no such table, disk I/O) are faults, not outages.
        return str(error.orig).startswith(_SQLITE_LOCKED)
    # A server database's OperationalError: connection lost or refused, server shutting down,
    # statement cancelled, serialization failure: all gone when tried again.
    return isinstance(error, sa_exc.OperationalError)


def outage_in(error: BaseException | None) -> BaseException | None:
    """Return the outage error ``error`` is or was caused by, if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if is_outage(error):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def is_database_outage(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) means the database was briefly out of reach,
    rather than a fault in the code or the data."""
    return outage_in(error) is not None
