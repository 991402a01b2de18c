"""Reading a programme's versions: one with its tasks, all of them, the task keys it has had.

Each read is one statement, with the name of whoever saved the version beside it, so the
programme page, the editor, the history and the printable sheet cost the same however many
versions and tasks there are.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from careteam.api import db, display_name_of

from .models import Programme, Task, Version


@dataclass(frozen=True)
class VersionView:
    """One version of a programme with its tasks and who made it."""

    version: Version
    tasks: list[Task]
    author: str | None


def version_with_tasks(programme: Programme, number: int) -> VersionView | None:
    """Version ``number`` of the programme with its tasks in order (one statement)."""
    rows = db.session.execute(
        select(Version, display_name_of(Version.created_by_id), Task)
        .outerjoin(Task, Task.version_id == Version.id)
        .where(Version.programme_id == programme.id, Version.number == number)
        .order_by(Task.position, Task.id)
    ).all()
    if not rows:
        return None
    return VersionView(rows[0][0], [task for _v, _n, task in rows if task is not None], rows[0][1])


def all_versions(programme: Programme) -> list[VersionView]:
    """Every version of the programme with its tasks, oldest first (one statement)."""
    rows = db.session.execute(
        select(Version, display_name_of(Version.created_by_id), Task)
        .outerjoin(Task, Task.version_id == Version.id)
        .where(Version.programme_id == programme.id)
        .order_by(Version.number, Task.position, Task.id)
    ).all()
    views: list[VersionView] = []
    for version, author, task in rows:
        if not views or views[-1].version.id != version.id:
            views.append(VersionView(version, [], author))
        if task is not None:
            views[-1].tasks.append(task)
    return views


def known_keys(programme: Programme) -> set[str]:
    """The keys of every task the programme has had: an editor row may only name these."""
    return set(db.session.scalars(select(Task.key).where(Task.programme_id == programme.id)))
