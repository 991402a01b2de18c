"""Tables of the therapy plugin (prefix ``therapy_``).

A programme belongs to one circle and is prescribed by a therapist.  Every saved change makes a
new version (``therapy_versions``) with its own copy of every task (``therapy_tasks``), effective
from a date: a log points at the task row of the version in force that day, so a log keeps the
dose that was asked of it after the programme changes.  A task's ``key`` stays the same from
version to version, so a day's log of "sit to stand" is one log whichever version is in force.

Templates belong to a therapist's account, not to a circle, and hold no circle data.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from careteam.api import UTCDateTime, db, new_public_id, utcnow


def _user_fk(nullable: bool = True) -> Mapped[int | None]:
    return mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=nullable)


class Programme(db.Model):
    __tablename__ = "therapy_programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    # The therapist the programme's alerts go to; empty once they leave (every therapist of
    # the circle is alerted then).
    therapist_id: Mapped[int | None] = _user_fk()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The number of the newest version; a save names the number it was made from and is
    # refused when it is no longer the newest (the optimistic check of a stale edit).
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    archived_by_id: Mapped[int | None] = _user_fk()


# The circle's programme list; the therapist's overview across circles.
Index("ix_therapy_programmes_circle", Programme.circle_id, Programme.archived_at, Programme.id)
Index("ix_therapy_programmes_therapist", Programme.therapist_id, Programme.archived_at)


class Version(db.Model):
    __tablename__ = "therapy_versions"
    __table_args__ = (
        UniqueConstraint("programme_id", "number", name="uq_therapy_versions_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_programmes.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = _user_fk()
    # What changed, in the therapist's words ("Added standing balance").
    change_note: Mapped[str] = mapped_column(String(300), default="")


class TaskFields:
    """What a task asks, shared by a version's tasks and a therapist's templates (a template is
    a task without dates, circle or programme)."""

    # "exercise", "activity" or "strategy" (a daily-living strategy).
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    instructions: Mapped[str] = mapped_column(Text, default="")
    # A drawing shipped in the plugin's static folder ("sit-to-stand.svg"), or "".
    drawing: Mapped[str] = mapped_column(String(60), default="")
    sets: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    hold_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Chosen weekdays as a bit mask (Monday = 1, Tuesday = 2, ... Sunday = 64), or 0 when the
    # task is done a number of times a week instead (per_week).
    weekdays: Mapped[int] = mapped_column(Integer, default=0)
    per_week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    times_per_day: Mapped[int] = mapped_column(Integer, default=1)
    # Optional times of day, "HH:MM" separated by spaces, one per time a day.
    times_of_day: Mapped[str] = mapped_column(String(40), default="")
    precautions: Mapped[str] = mapped_column(Text, default="")
    keep_in_flare: Mapped[bool] = mapped_column(Boolean, default=False)
    pain_threshold: Mapped[int] = mapped_column(Integer, default=7)
    fatigue_threshold: Mapped[int] = mapped_column(Integer, default=7)


class Task(TaskFields, db.Model):
    """One task of one version: what to do, how much, and when."""

    __tablename__ = "therapy_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    # The same task across versions (logs, progress and calendar UIDs follow it).
    key: Mapped[str] = mapped_column(String(16), default=new_public_id)
    version_id: Mapped[int] = mapped_column(ForeignKey("therapy_versions.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_programmes.id", ondelete="CASCADE")
    )
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Where it was copied from: "library:<slug>", "template:<public id>" or "".
    source: Mapped[str] = mapped_column(String(40), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)


Index("ix_therapy_tasks_version", Task.version_id, Task.position)
Index("ix_therapy_tasks_programme_key", Task.programme_id, Task.key)
Index("ix_therapy_tasks_circle", Task.circle_id, Task.programme_id)


class TaskTemplate(TaskFields, db.Model):
    """A task a therapist keeps for reuse: their own, offered wherever they prescribe."""

    __tablename__ = "therapy_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_therapy_templates_owner", TaskTemplate.owner_id, TaskTemplate.title)


class Log(db.Model):
    """How one scheduled time of one task went on one day, and who said so."""

    __tablename__ = "therapy_logs"
    __table_args__ = (
        # One answer per task, day and time of day, whatever version is in force.
        UniqueConstraint("programme_id", "task_key", "day", "slot", name="uq_therapy_logs_slot"),
        # The form's one-time token: a double tap saves one log.
        UniqueConstraint("programme_id", "token", name="uq_therapy_logs_token"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_programmes.id", ondelete="CASCADE")
    )
    # The task row of the version in force that day: its dose is what was asked.
    task_id: Mapped[int] = mapped_column(ForeignKey("therapy_tasks.id", ondelete="CASCADE"))
    task_key: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    # Which time of the day (1 to 4) for a task done several times a day.
    slot: Mapped[int] = mapped_column(Integer, default=1)
    # "done", "partly" or "skipped".
    status: Mapped[str] = mapped_column(String(10))
    sets: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    effort: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pain: Mapped[int | None] = mapped_column(Integer, nullable=True)
    fatigue: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Why it was skipped or done in part.
    reason: Mapped[str] = mapped_column(String(200), default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    token: Mapped[str] = mapped_column(String(43))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    logged_by_id: Mapped[int | None] = _user_fk()


# Today's and a week's logs of a programme; the circle's logs by day (export, CSV).
Index("ix_therapy_logs_programme_day", Log.programme_id, Log.day)
Index("ix_therapy_logs_circle_day", Log.circle_id, Log.day)


class Pause(db.Model):
    """A flare-up pause: from a date, to a date or until someone resumes."""

    __tablename__ = "therapy_pauses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_programmes.id", ondelete="CASCADE")
    )
    start_date: Mapped[date] = mapped_column(Date)
    # The last paused day; empty while it runs until someone resumes.
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = _user_fk()
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resumed_by_id: Mapped[int | None] = _user_fk()


Index("ix_therapy_pauses_programme", Pause.programme_id, Pause.start_date)


class Alert(db.Model):
    """A rating at or over a task's threshold, or a pause, flagged for the therapist."""

    __tablename__ = "therapy_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("therapy_programmes.id", ondelete="CASCADE")
    )
    # "pain", "fatigue" or "pause".
    kind: Mapped[str] = mapped_column(String(10))
    log_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapy_logs.id", ondelete="CASCADE"), nullable=True
    )
    pause_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapy_pauses.id", ondelete="CASCADE"), nullable=True
    )
    # The rating that raised it (pain or fatigue, 0-10).
    value: Mapped[int | None] = mapped_column(Integer, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a therapist marks it seen; open alerts flag the programme.
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    seen_by_id: Mapped[int | None] = _user_fk()


Index("ix_therapy_alerts_programme_open", Alert.programme_id, Alert.seen_at)
Index("ix_therapy_alerts_circle_open", Alert.circle_id, Alert.seen_at)


class MemberSetting(db.Model):
    """A member's own choice: therapy days in their calendar feed, and a daily reminder."""

    __tablename__ = "therapy_member_settings"
    __table_args__ = (
        UniqueConstraint("circle_id", "user_id", name="uq_therapy_member_settings_member"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    calendar: Mapped[bool] = mapped_column(Boolean, default=False)
    reminders: Mapped[bool] = mapped_column(Boolean, default=False)
