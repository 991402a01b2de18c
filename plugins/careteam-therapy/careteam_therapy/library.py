"""The library of tasks the therapy plugin ships: where a therapist starts a programme.

Each entry is an exercise, an activity or a daily-living strategy for people with multiple
sclerosis, with plain-language steps, a default dose and schedule, precautions and a line
drawing (``static/drawings/<slug>.svg``).  The entries were written for this plugin, in our
own words, from published MS guidance (the National MS Society's exercise recommendations, the
MS Trust's and MS Society UK's exercise, fatigue and temperature material, falls-prevention
physiotherapy programmes); the plugin README lists the sources.

This is not medical advice.  Every entry is a starting point: the therapist who prescribes it
edits the steps, dose, schedule and precautions for the person in front of them, and the
programme keeps its own copy, so changing this file never changes a prescribed programme.

The text lives in two data modules (exercises; activities and strategies) as keyword
arguments, so this module stays the interface the rest of the plugin reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from .library_daily import ACTIVITIES, STRATEGIES
from .library_exercises import EXERCISES

KIND_LABELS: dict[str, str] = {
    "exercise": "Exercise",
    "activity": "Activity",
    "strategy": "Daily-living strategy",
}


@dataclass(frozen=True)
class LibraryEntry:
    """One shipped task, as copied into a programme or a therapist's template.

    ``weekdays`` are 0 = Monday ... 6 = Sunday (``schedule.weekday_mask`` stores them); a task
    has chosen weekdays or ``per_week``, never both.  An exercise has at least one of sets,
    reps, hold_seconds, minutes; a strategy may have no dose at all.
    """

    slug: str
    title: str
    kind: str
    instructions: str
    precautions: str
    drawing: str
    alt: str
    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    weekdays: tuple[int, ...] = ()
    per_week: int | None = None
    times_per_day: int = 1
    keep_in_flare: bool = False

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def _entries() -> tuple[LibraryEntry, ...]:
    # Each data module lists plain keyword arguments; the drawing is always "<slug>.svg", so
    # it is filled in here rather than written out (and mistyped) once per entry.
    return tuple(
        LibraryEntry(**fields, drawing=f"{fields['slug']}.svg")
        for fields in (*EXERCISES, *ACTIVITIES, *STRATEGIES)
    )


LIBRARY: tuple[LibraryEntry, ...] = _entries()
_BY_SLUG: dict[str, LibraryEntry] = {entry.slug: entry for entry in LIBRARY}
_ALT_BY_DRAWING: dict[str, str] = {entry.drawing: entry.alt for entry in LIBRARY}


def library_entry(slug: str) -> LibraryEntry | None:
    """The shipped entry called ``slug`` ("sit-to-stand"), or None."""
    return _BY_SLUG.get(slug)


def drawing_alt(drawing: str) -> str:
    """The alt text of a shipped drawing ("sit-to-stand.svg"), or "" for any other file.

    Programmes and templates store only the drawing's file name, so pages look the alt text up
    here; a task whose drawing is not (or no longer) shipped shows no picture.
    """
    return _ALT_BY_DRAWING.get(drawing, "")
