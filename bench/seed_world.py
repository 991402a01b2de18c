"""What the seeder phases share: the scale, the people and circles made so far, bulk inserts.

Bulk rows get their ids from here (a fresh database starts every table at 1), so dependent rows
can point at them without a round trip; PostgreSQL's sequences are moved past them afterwards.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from careteam.roles import Role

CHUNK = 5000


@dataclass(frozen=True)
class Scale:
    """How much of everything one scale makes (the busy and calendar circles included)."""

    circles: int
    users: int
    notes: int
    comments: int
    appointments: int
    busy_appointments: int
    busy_series: int
    calendar_appointments: int
    busy_note_comments: int = 25
    busy_supporters: int = 20


class Progress:
    """A one-line progress bar per phase on stderr (no dependency; quiet when switched off)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self._phase = ""
        self._total = 0
        self._done = 0
        self._phase_started = 0.0
        self._last_draw = 0.0

    def phase(self, name: str, total: int) -> None:
        self._phase, self._total, self._done = name, max(total, 1), 0
        self._phase_started = time.perf_counter()
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self._done += count
        self._draw()

    def end_phase(self) -> None:
        self._done = self._total
        self._draw(force=True)
        if self.enabled:
            sys.stderr.write("\n")

    def finish(self) -> float:
        seconds = time.perf_counter() - self.started
        if self.enabled:
            sys.stderr.write(f"seeded in {seconds:.1f} s\n")
        return seconds

    def _draw(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (not force and now - self._last_draw < 0.2):
            return
        self._last_draw = now
        share = min(self._done / self._total, 1.0)
        bar = "#" * int(share * 30)
        sys.stderr.write(
            f"\r{self._phase:<14} [{bar:<30}] {self._done:>9,}/{self._total:,} "
            f"{now - self._phase_started:6.1f} s"
        )
        sys.stderr.flush()


@dataclass
class Member:
    membership_id: int
    user_id: int
    role: str


@dataclass
class CircleInfo:
    id: int
    public_id: str
    name: str
    time_zone: str
    created_at: datetime
    creator_id: int
    members: list[Member] = field(default_factory=list)

    def with_roles(self, roles: Iterable[str]) -> list[Member]:
        wanted = set(roles)
        return [m for m in self.members if m.role in wanted]

    def first(self, role: Role) -> Member | None:
        return next((m for m in self.members if m.role == role), None)


@dataclass
class World:
    """The state of one seeding run."""

    scale: Scale
    rng: random.Random
    now: datetime
    conn: Connection
    progress: Progress
    plugins: list[str]
    password_hash: str
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    circles: list[CircleInfo] = field(default_factory=list)
    next_ids: dict[str, int] = field(default_factory=dict)
    tables_with_ids: set[str] = field(default_factory=set)
    # What plugin phases add to the manifest (e.g. whom a plugin's scenarios sign in as).
    manifest_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def busy(self) -> CircleInfo:
        return self.circles[0]

    @property
    def calendar(self) -> CircleInfo:
        return self.circles[1]

    def new_id(self, table: Table) -> int:
        """Return the next id of ``table`` (bulk rows carry their ids)."""
        value = self.next_ids.get(table.name, 1)
        self.next_ids[table.name] = value + 1
        self.tables_with_ids.add(table.name)
        return value

    def insert(self, table: Table, rows: list[dict[str, Any]], progress: bool = False) -> None:
        """Insert ``rows`` with executemany in chunks of a few thousand."""
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            self.conn.execute(table.insert(), chunk)
            if progress:
                self.progress.advance(len(chunk))


class Batches:
    """Rows for several tables, written in foreign-key order whenever enough have piled up."""

    def __init__(self, world: World, tables: list[Table], progress_table: Table) -> None:
        self.world = world
        self.rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in tables}
        self.tables = tables
        self.progress_table = progress_table

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)
        if table is self.progress_table and len(self.rows[table.name]) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        for table in self.tables:
            rows = self.rows[table.name]
            if rows:
                self.world.insert(table, rows, progress=table is self.progress_table)
                self.rows[table.name] = []
