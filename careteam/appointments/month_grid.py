"""The month grid's days: each occurrence as the short entry a cell shows, worked out in Python.

A busy month holds a thousand occurrences of a few hundred series; what the occurrences of one
series share (its link pattern, its escaped title) is worked out once per series.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from ..web.links import LinkPattern
from .display import occurrence_url, series_link
from .occurrences import Occurrence


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
    shared: dict[Any, _Shared] = {}
    for occurrence in occurrences:
        appointment = occurrence.appointment
        series = shared.get(appointment)  # by identity: the ORM's id attribute costs more
        if series is None:
            series = shared[appointment] = _Shared.of(circle, appointment, occurrence)
        title = series.title if occurrence.change is None else escape(occurrence.title)
        if series.all_day:
            local_start: datetime | None = None
            day, last = occurrence.start_local.date(), occurrence.last_day.date()
        else:
            local_start = occurrence.start.astimezone(zone)
            day = last = local_start.date()
        entry = MonthEntry(
            url=series.pattern.fill(occurrence.key) if series.pattern else series.link,
            start_iso=None if local_start is None else occurrence.start.isoformat(),
            # Not strftime, which is much slower: a month shows a thousand of these.
            clock="" if local_start is None else f"{local_start.hour:02d}:{local_start.minute:02d}",
            title=title,
            cancelled=series.cancelled,
        )
        while day <= last:
            by_day.setdefault(day, []).append(entry)
            day += timedelta(days=1)
    return by_day


class _Shared(NamedTuple):
    """What every occurrence of one appointment shows alike, read from the ORM object once."""

    link: str  # a single appointment's link
    pattern: LinkPattern | None  # a series' link, filled with each occurrence's key
    title: Markup
    all_day: bool
    cancelled: bool

    @classmethod
    def of(cls, circle: Any, appointment: Any, occurrence: Occurrence) -> _Shared:
        if appointment.recurring:
            link, pattern = "", series_link(circle, appointment.public_id)
        else:
            link, pattern = occurrence_url(circle, occurrence), None
        return cls(
            link,
            pattern,
            escape(appointment.title),
            appointment.all_day,
            appointment.cancelled,
        )
