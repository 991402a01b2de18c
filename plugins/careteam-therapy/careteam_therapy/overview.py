"""The therapist's overview across circles (/therapy) and the home-page panel.

Every programme in every circle where the person holds ``therapy.prescribe`` (with the plugin
on), neediest first: open alerts, then the lowest adherence this week, then the oldest last log.
A caseload of 40 circles must cost what one does, so the page reads three statements: the
person's circles, the programmes with everything but the logs (versions, tasks, this week's
pauses, open alerts and the last log day, joined or as per-programme subqueries), and this
week's logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import and_, case, exists, func, or_, select

from careteam.api import circle_zone, db, memberships_of, record_views, utcnow

from .chart import long_date, percent_text
from .models import Alert, Log, Pause, Programme, Task, Version
from .progress import PlannedTask, PlannedVersion, WeekFigures, load_logs, week_figures
from .schedule import TaskSchedule, monday_of
from .site_views import site_bp

PLUGIN = "therapy"
PRESCRIBE = "therapy.prescribe"


@dataclass
class CaseloadEntry:
    """One programme on the overview."""

    circle: Any
    programme_id: int
    public_id: str
    title: str
    week: WeekFigures | None = None
    alerts: list[tuple[str, int | None]] = field(default_factory=list)  # (kind, value)
    last_log: date | None = None
    plan: list[PlannedVersion] = field(default_factory=list)
    pauses: set[tuple[date, date | None]] = field(default_factory=set)

    @property
    def needs_attention(self) -> bool:
        return bool(self.alerts)

    def sort_key(self) -> tuple[Any, ...]:
        adherence = self.week.adherence if self.week else None
        return (
            not self.alerts,
            adherence is None,  # nothing due this week: after those with a figure
            adherence or 0.0,
            self.last_log or date.min,  # never logged counts as the oldest
            self.circle.name.casefold(),
            self.title.casefold(),
        )


def _open(kind: str) -> Any:
    return and_(Alert.programme_id == Programme.id, Alert.seen_at.is_(None), Alert.kind == kind)


def _programme_rows(circle_ids: list[int], low: date, high: date) -> list[Any]:
    """Programmes of these circles with versions, tasks, pauses touching ``low``..``high``, the
    highest open pain and fatigue alert, open pause alerts and the last log day (one statement).

    A programme has few versions, tasks and pauses in a week, so one row per combination stays
    small; the per-programme figures are subqueries on indexed columns."""
    last_log = select(func.max(Log.day)).where(Log.programme_id == Programme.id)
    pain = select(func.max(Alert.value)).where(_open("pain"))
    fatigue = select(func.max(Alert.value)).where(_open("fatigue"))
    paused = select(func.count(Alert.id)).where(_open("pause"))
    week_pause = and_(
        Pause.programme_id == Programme.id,
        Pause.start_date <= high,
        or_(Pause.end_date.is_(None), Pause.end_date >= low),
    )
    return db.session.execute(
        select(
            Programme.id,
            Programme.circle_id,
            Programme.public_id,
            Programme.title,
            Version.number,
            Version.effective_from,
            # Columns, not Task objects: a caseload of 40 circles is hundreds of rows.
            Task.id.label("task_id"),
            Task.key,
            Task.start_date.label("task_start"),
            Task.end_date.label("task_end"),
            Task.weekdays,
            Task.per_week,
            Task.times_per_day,
            Task.keep_in_flare,
            Pause.start_date,
            Pause.end_date,
            last_log.scalar_subquery().label("last_log"),
            pain.scalar_subquery().label("pain"),
            fatigue.scalar_subquery().label("fatigue"),
            paused.scalar_subquery().label("paused"),
        )
        .join(Version, Version.programme_id == Programme.id)
        .outerjoin(Task, Task.version_id == Version.id)
        .outerjoin(Pause, week_pause)
        .where(Programme.circle_id.in_(circle_ids), Programme.archived_at.is_(None))
        .order_by(Programme.id, Version.number, Task.position, Task.id)
    ).all()


def caseload(user_id: int) -> tuple[list[Any], list[CaseloadEntry]] | None:
    """The person's prescribing circles and their programmes, neediest first; None when they
    prescribe nowhere (three statements)."""
    circles = [c for c, _ in memberships_of(user_id, capability=PRESCRIBE, plugin=PLUGIN)]
    if not circles:
        return None
    now = utcnow()
    # Each circle's own today: circles in different zones may be on different days.
    today = {c.id: now.astimezone(circle_zone(c)).date() for c in circles}
    low = min(monday_of(day) for day in today.values())
    high = max(today.values())
    by_id = {c.id: c for c in circles}
    entries: dict[int, CaseloadEntry] = {}
    tasks_seen: set[int] = set()
    for row in _programme_rows(list(by_id), low, high):
        entry = entries.get(row.id)
        if entry is None:
            entry = entries[row.id] = CaseloadEntry(
                by_id[row.circle_id], row.id, row.public_id, row.title, last_log=row.last_log
            )
            entry.alerts = [
                (kind, value)
                for kind, value in (("pain", row.pain), ("fatigue", row.fatigue))
                if value is not None
            ] + ([("pause", None)] if row.paused else [])
        if not entry.plan or entry.plan[-1].number != row.number:
            entry.plan.append(PlannedVersion(row.number, row.effective_from, ()))
        if row.task_id is not None and row.task_id not in tasks_seen:
            tasks_seen.add(row.task_id)
            last = entry.plan[-1]
            schedule = TaskSchedule(
                row.task_start, row.task_end, row.weekdays, row.per_week, row.times_per_day,
                row.keep_in_flare,
            )  # fmt: skip
            task = PlannedTask(row.key, schedule)
            entry.plan[-1] = PlannedVersion(last.number, last.effective_from, (*last.tasks, task))
        if row.start_date is not None:
            entry.pauses.add((row.start_date, row.end_date))
    logs = load_logs(list(entries), low, high)
    for entry in entries.values():
        day = today[entry.circle.id]
        entry.week = week_figures(
            entry.plan, entry.pauses, logs.get(entry.programme_id, []), monday_of(day), until=day
        )
    return circles, sorted(entries.values(), key=CaseloadEntry.sort_key)


ALERT_WORDS = {"pain": "Pain", "fatigue": "Fatigue", "pause": "Paused for a flare-up"}


@site_bp.get("")
@login_required
def overview():
    """Show every programme the signed-in therapist prescribes for, neediest first."""
    found = caseload(current_user.id)
    if found is None:
        abort(404)
    circles, entries = found
    html = render_template(
        "therapy/overview.html",
        entries=entries,
        circles=circles,
        alert_words=ALERT_WORDS,
        percent_text=percent_text,
        long_date=long_date,
    )
    record_views(
        "therapy.overview_viewed", circles, object_type="caseload", object_id=current_user.public_id
    )
    return html


def attention_count(user_id: int) -> tuple[int, int] | None:
    """(programmes needing attention, programmes) where the person prescribes, or None when
    they prescribe nowhere.  Needing attention = an open alert.  Two statements."""
    circles = [c.id for c, _ in memberships_of(user_id, capability=PRESCRIBE, plugin=PLUGIN)]
    if not circles:
        return None
    flagged = exists().where(Alert.programme_id == Programme.id, Alert.seen_at.is_(None))
    total, attention = db.session.execute(
        select(func.count(Programme.id), func.sum(case((flagged, 1), else_=0))).where(
            Programme.circle_id.in_(circles), Programme.archived_at.is_(None)
        )
    ).one()
    return int(attention or 0), int(total or 0)


def home_panel(user: Any, **_: Any) -> dict[str, Any] | None:
    """The context of "Your therapy circles" on /home; None when they prescribe nowhere."""
    if not getattr(user, "is_authenticated", False):
        return None
    counts = attention_count(user.id)
    if counts is None:
        return None
    attention, total = counts
    return {"attention": attention, "programmes": total}
