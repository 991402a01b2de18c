"""The month grid's days: each occurrence as the short entry a cell shows, worked out in Python.

A busy month holds a thousand occurrences of a few hundred series; what the occurrences of one
series share (its link pattern, its escaped title) is worked out once per series.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from .occurrences import Occurrence
from .urls import fill_key, occurrence_url, series_url_pattern


class MonthEntry(NamedTuple):
    """What the month grid shows of one occurrence."""

    url: str
    start_iso: str | None  # None for all-day occurrences, which show no time
    clock: str
    title: Markup
    cancelled: bool


def entries_by_day(
    circle: Any, occurrences: list[Occurrence], zone: ZoneInfo
) -> dict[date, list[MonthEntry]]:
    """Return each day's entries (in the circle's zone), in the occurrences' order."""
    by_day: dict[date, list[MonthEntry]] = {}
    shared: dict[int, tuple[str, Markup]] = {}
    for occurrence in occurrences:
        appointment = occurrence.appointment
        known = shared.get(appointment.id)
        if known is None:
            link = (
                series_url_pattern(circle, appointment.public_id)
                if appointment.recurring
                else occurrence_url(circle, occurrence)
            )
            known = shared[appointment.id] = (link, escape(appointment.title))
        link, title = known
        if occurrence.change is not None:
            title = escape(occurrence.title)
        if appointment.all_day:
            local_start: datetime | None = None
            day, last = occurrence.start_local.date(), occurrence.last_day.date()
        else:
            local_start = occurrence.start.astimezone(zone)
            day = last = local_start.date()
        entry = MonthEntry(
            url=fill_key(link, occurrence.key) if appointment.recurring else link,
            start_iso=None if local_start is None else occurrence.start.isoformat(),
            # Not strftime: a month shows a thousand of these, and it cost five times as much.
            clock="" if local_start is None else f"{local_start.hour:02d}:{local_start.minute:02d}",
            title=title,
            cancelled=appointment.cancelled,
        )
        while day <= last:
            by_day.setdefault(day, []).append(entry)
            day += timedelta(days=1)
    return by_day
