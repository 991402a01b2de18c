"""The therapy part of the circle export, and the CSV of one programme's logs.

Everything the plugin keeps about a circle goes in: programmes, every version with its own
copy of each task, pauses and logs (a log names the task row of the version it answered, so
its dose is the one asked that day).  Templates are the therapist's own and hold no circle
data, so they are not part of a circle's export.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from careteam.api import SectionContent, csv_bytes, db, display_name_of, member_can

from .models import Log, Pause, Programme, Task, Version
from .schedule import weekdays_of

LOG_HEADER = (
    "programme",
    "version",
    "task",
    "task_key",
    "day",
    "slot",
    "status",
    "sets",
    "reps",
    "minutes",
    "effort",
    "pain",
    "fatigue",
    "reason",
    "comment",
    "logged_by",
    "logged_at",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _log_row(programme: Programme, version: int, log: Log, task: Task, by: str) -> tuple:
    return (
        programme.title,
        version,
        task.title,
        log.task_key,
        log.day,
        log.slot,
        log.status,
        log.sets,
        log.reps,
        log.minutes,
        log.effort,
        log.pain,
        log.fatigue,
        log.reason,
        log.comment,
        by,
        log.logged_at,
    )


def logs_of(programme: Programme) -> list[tuple[Log, Task, str]]:
    """Every log of the programme, oldest day first, with the task asked and who logged it."""
    rows = db.session.execute(
        select(Log, Task, display_name_of(Log.logged_by_id))
        .join(Task, Task.id == Log.task_id)
        .where(Log.programme_id == programme.id)
        .order_by(Log.day, Task.position, Log.slot, Log.id)
    ).all()
    return [(log, task, name or "") for log, task, name in rows]


def logs_csv(programme: Programme) -> bytes:
    """Every log of the programme as CSV, spreadsheet formulas escaped (three statements)."""
    numbers = dict(
        db.session.execute(
            select(Version.id, Version.number).where(Version.programme_id == programme.id)
        ).all()
    )
    rows = [
        _log_row(programme, numbers.get(task.version_id, 0), log, task, by)
        for log, task, by in logs_of(programme)
    ]
    return csv_bytes(LOG_HEADER, rows)


def _task(task: Task) -> dict[str, Any]:
    return {
        "id": task.public_id,
        "key": task.key,
        "position": task.position,
        "kind": task.kind,
        "title": task.title,
        "instructions": task.instructions,
        "drawing": task.drawing,
        "source": task.source,
        "sets": task.sets,
        "reps": task.reps,
        "hold_seconds": task.hold_seconds,
        "minutes": task.minutes,
        "weekdays": list(weekdays_of(task.weekdays)),
        "per_week": task.per_week,
        "times_per_day": task.times_per_day,
        "times_of_day": task.times_of_day.split(),
        "start_date": _iso(task.start_date),
        "end_date": _iso(task.end_date),
        "precautions": task.precautions,
        "keep_in_flare": task.keep_in_flare,
        "pain_threshold": task.pain_threshold,
        "fatigue_threshold": task.fatigue_threshold,
    }


def build_section(circle: Any, membership: Any, **_: Any) -> SectionContent:
    """Return everything the plugin keeps for the circle (four statements)."""
    if not member_can(membership, "therapy.view"):
        return SectionContent()  # supporters: nothing exported
    programmes = list(
        db.session.execute(
            select(Programme, display_name_of(Programme.therapist_id))
            .where(Programme.circle_id == circle.id)
            .order_by(Programme.id)
        ).all()
    )
    versions = db.session.execute(
        select(Version, Task, display_name_of(Version.created_by_id))
        .join(Programme, Programme.id == Version.programme_id)
        .outerjoin(Task, Task.version_id == Version.id)
        .where(Programme.circle_id == circle.id)
        .order_by(Version.programme_id, Version.number, Task.position, Task.id)
    ).all()
    pauses = db.session.execute(
        select(
            Pause,
            display_name_of(Pause.created_by_id),
            display_name_of(Pause.resumed_by_id),
        )
        .where(Pause.circle_id == circle.id)
        .order_by(Pause.programme_id, Pause.start_date)
    ).all()
    logs = db.session.execute(
        select(Log, Task, display_name_of(Log.logged_by_id))
        .join(Task, Task.id == Log.task_id)
        .where(Log.circle_id == circle.id)
        .order_by(Log.programme_id, Log.day, Task.position, Log.slot, Log.id)
    ).all()
    public = {p.id: p.public_id for p, _name in programmes}
    by_id = {p.id: p for p, _name in programmes}
    version_docs: dict[int, list[dict[str, Any]]] = {}
    current: dict[int, dict[str, Any]] = {}
    numbers: dict[int, int] = {}
    for version, task, author in versions:
        numbers[version.id] = version.number
        if version.id not in current:
            current[version.id] = {
                "number": version.number,
                "effective_from": _iso(version.effective_from),
                "created_at": _iso(version.created_at),
                "created_by": author or "",
                "change_note": version.change_note,
                "tasks": [],
            }
            version_docs.setdefault(version.programme_id, []).append(current[version.id])
        if task is not None:
            current[version.id]["tasks"].append(_task(task))
    data = {
        "programmes": [
            {
                "id": p.public_id,
                "title": p.title,
                "therapist": therapist or "",
                "created_at": _iso(p.created_at),
                "current_version": p.current_version,
                "archived_at": _iso(p.archived_at),
                "versions": version_docs.get(p.id, []),
            }
            for p, therapist in programmes
        ],
        "pauses": [
            {
                "id": pause.public_id,
                "programme": public.get(pause.programme_id),
                "from": _iso(pause.start_date),
                "to": _iso(pause.end_date),
                "note": pause.note,
                "paused_by": by or "",
                "resumed_at": _iso(pause.resumed_at),
                "resumed_by": resumed or "",
            }
            for pause, by, resumed in pauses
        ],
        "logs": [
            {
                "id": log.public_id,
                "programme": public.get(log.programme_id),
                "version": numbers.get(task.version_id),
                "task": task.public_id,
                "task_key": log.task_key,
                "task_title": task.title,
                "day": _iso(log.day),
                "slot": log.slot,
                "status": log.status,
                "sets": log.sets,
                "reps": log.reps,
                "minutes": log.minutes,
                "effort": log.effort,
                "pain": log.pain,
                "fatigue": log.fatigue,
                "reason": log.reason,
                "comment": log.comment,
                "logged_by": by or "",
                "logged_at": _iso(log.logged_at),
            }
            for log, task, by in logs
        ],
    }
    rows = [
        _log_row(by_id[log.programme_id], numbers.get(task.version_id, 0), log, task, by or "")
        for log, task, by in logs
    ]
    return SectionContent(data=data, tables={"therapy_logs.csv": (LOG_HEADER, rows)})
