"""Programmes, versions, logs, pauses and alerts made directly in the tables, for the progress
and overview tests: they need exact histories (a version from a chosen day, a log on a past
day, a pause in a given week) that the services, which work from "today", cannot make.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from careteam_therapy.models import Alert, Log, Pause, Programme, Task, Version
from careteam_therapy.schedule import weekday_mask

from careteam.api import db

EVERY_DAY = weekday_mask(range(7))


@dataclass
class Made:
    """Ids of what was made, safe outside an app context."""

    id: int
    public_id: str
    circle_id: int
    # (version number, task key) -> task row id
    tasks: dict[tuple[int, str], int] = field(default_factory=dict)
    versions: dict[int, date] = field(default_factory=dict)

    def task_on(self, key: str, day: date) -> int:
        started = [
            n for n, since in self.versions.items() if since <= day and (n, key) in self.tasks
        ]
        return self.tasks[(max(started or self.versions), key)]


def task(key: str, start: date, **fields: Any) -> dict[str, Any]:
    """A task's fields: every day once unless told otherwise."""
    return {
        "key": key,
        "title": fields.pop("title", f"Task {key}"),
        "kind": "exercise",
        "reps": 10,
        "weekdays": EVERY_DAY if not fields.get("per_week") else 0,
        "times_per_day": 1,
        "start_date": start,
        **fields,
    }


def add_programme(
    app: Any,
    circle_id: int,
    therapist_id: int | None,
    versions: list[tuple[date, list[dict[str, Any]]]],
    title: str = "Walking and balance",
) -> Made:
    with app.app_context():
        programme = Programme(
            circle_id=circle_id,
            title=title,
            therapist_id=therapist_id,
            current_version=len(versions),
        )
        db.session.add(programme)
        db.session.flush()
        made = Made(programme.id, programme.public_id, circle_id)
        for number, (since, tasks) in enumerate(versions, start=1):
            version = Version(programme_id=programme.id, number=number, effective_from=since)
            db.session.add(version)
            db.session.flush()
            made.versions[number] = since
            for position, fields in enumerate(tasks):
                row = Task(
                    version_id=version.id,
                    programme_id=programme.id,
                    circle_id=circle_id,
                    position=position,
                    **fields,
                )
                db.session.add(row)
                db.session.flush()
                made.tasks[(number, row.key)] = row.id
        db.session.commit()
        return made


def add_logs(app: Any, made: Made, logs: list[dict[str, Any]]) -> None:
    """Each log: key, day, and optionally slot, status, pain, fatigue, by."""
    with app.app_context():
        for fields in logs:
            fields = dict(fields)
            key, day = fields.pop("key"), fields.pop("day")
            db.session.add(
                Log(
                    circle_id=made.circle_id,
                    programme_id=made.id,
                    task_id=made.task_on(key, day),
                    task_key=key,
                    day=day,
                    slot=fields.pop("slot", 1),
                    status=fields.pop("status", "done"),
                    logged_by_id=fields.pop("by", None),
                    token=secrets.token_urlsafe(32),
                    **fields,
                )
            )
        db.session.commit()


def add_pause(app: Any, made: Made, start: date, end: date | None = None) -> int:
    with app.app_context():
        pause = Pause(
            circle_id=made.circle_id, programme_id=made.id, start_date=start, end_date=end
        )
        db.session.add(pause)
        db.session.commit()
        return pause.id


def add_alert(
    app: Any, made: Made, kind: str, value: int | None = None, seen: bool = False
) -> None:
    from careteam.api import utcnow

    with app.app_context():
        db.session.add(
            Alert(
                circle_id=made.circle_id,
                programme_id=made.id,
                kind=kind,
                value=value,
                seen_at=utcnow() if seen else None,
            )
        )
        db.session.commit()
