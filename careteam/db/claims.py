"""Claim a piece of work once, in the database, before doing it (reminder emails).

A claim is an INSERT of the work's key into a table with a unique constraint, committed at
once on its own connection: two runs that race for the same key cannot both win.  A claim whose
work failed can be taken again (an UPDATE that succeeds only while it is still ``failed``), a
limited number of times.  Shared state in the database, so it holds across processes and
machines, which a lock in memory would not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .engine import immediate_writes

CLAIMED, SENT, FAILED, SKIPPED = "claimed", "sent", "failed", "skipped"


def claim(table: Table, key: Mapping[str, Any], now: datetime, max_attempts: int) -> bool:
    """Claim ``key`` in ``table``; False if another run holds it or it is done."""
    try:
        with immediate_writes(), db.engine.begin() as conn:
            conn.execute(insert(table).values(**key, status=CLAIMED, attempts=1, claimed_at=now))
        return True
    except IntegrityError:
        pass
    # Taken before: take it again only if that attempt failed (retries of failed work).
    with immediate_writes(), db.engine.begin() as conn:
        result = conn.execute(
            update(table)
            .where(*(table.c[name] == value for name, value in key.items()))
            .where(table.c.status == FAILED, table.c.attempts < max_attempts)
            .values(
                status=CLAIMED,
                attempts=table.c.attempts + 1,
                claimed_at=now,
                finished_at=None,
            )
        )
        return result.rowcount == 1


def finish(table: Table, keys: Iterable[Mapping[str, Any]], status: str, now: datetime) -> None:
    """Record how the claimed work went ("sent", "failed", "skipped"), in one transaction."""
    keys = list(keys)
    if not keys:
        return
    with immediate_writes(), db.engine.begin() as conn:
        for key in keys:
            conn.execute(
                update(table)
                .where(*(table.c[name] == value for name, value in key.items()))
                .values(status=status, finished_at=now)
            )
