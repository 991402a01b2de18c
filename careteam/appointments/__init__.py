"""The care calendar: capabilities, pages, "What's next" items, nav, export and demo data.

Feeds and reminders build on it from their own packages (:mod:`careteam.calendar_feeds`,
:mod:`careteam.reminders`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..db.clock import utcnow
from ..permissions import member_can
from ..registries import (
    Capability,
    DemoBuilder,
    NavItem,
    WhatsNextItem,
    add_capability,
    add_export_section,
    add_whats_next,
    register_builder,
)
from ..roles import ALL_ROLES, CARE_TEAM, Role
from . import edit_views  # noqa: F401 - registers the writing pages on the blueprint
from .demo import build_demo_appointments
from .display import occurrence_url, when_text
from .export import SECTION
from .queries import agenda_page, help_summaries
from .series_cache import init_series_cache
from .views import bp

CAPABILITIES = (
    # Everyone may open the calendar; the audience filter decides what each person sees in it.
    Capability("appointments.view", "See the appointments addressed to them", ALL_ROLES),
    Capability("appointments.schedule", "Schedule, change and cancel appointments", CARE_TEAM),
    Capability(
        "help.volunteer",
        "Volunteer for rides and visits",
        frozenset({Role.COORDINATOR, Role.FAMILY, Role.CAREGIVER, Role.SUPPORTER}),
    ),
)
WHATS_NEXT_COUNT = 5


def whats_next(circle: Any = None, membership: Any = None, **_: Any) -> list:
    """Return the next occurrences this member may see, for the circle home page."""
    if circle is None or not member_can(membership, "appointments.view"):
        return []
    now = utcnow()
    page = agenda_page(circle, membership, now, size=WHATS_NEXT_COUNT, live=True)
    rows = page.rows[:WHATS_NEXT_COUNT]
    summaries = help_summaries(list({o.appointment.id for o in rows}), rows)
    items = []
    for occurrence in rows:
        wanted = [
            s for s in summaries.get((occurrence.appointment.id, occurrence.key), []) if not s.full
        ]
        detail = when_text(occurrence, circle.time_zone)
        if wanted:
            detail += " \u00b7 help wanted"
        items.append(
            WhatsNextItem(
                title=occurrence.title,
                when=occurrence.start,
                url=occurrence_url(circle, occurrence),
                detail=detail if occurrence.appointment.all_day or wanted else "",
                kind="appointment",
            )
        )
    return items


def init_appointments(app: Flask) -> None:
    """Register the calendar feature on ``app``."""
    add_capability(app, *CAPABILITIES)
    app.register_blueprint(bp)
    registry = app.extensions["careteam_ui"]
    registry.add_nav("circle", NavItem("Calendar", "appointments.agenda", order=30))
    add_whats_next(app, whats_next)
    add_export_section(app, SECTION)
    init_series_cache(app)
    with app.app_context():
        register_builder(DemoBuilder("appointments", build_demo_appointments, order=210))
