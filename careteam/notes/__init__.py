"""The shared care notes journal: capabilities, pages, circle home section, nav and demo data."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..permissions import member_can
from ..registries import (
    Capability,
    DemoBuilder,
    NavItem,
    PageSection,
    add_capability,
    add_export_section,
    register_builder,
)
from ..roles import ALL_ROLES, CARE_TEAM, Role
from . import (
    editing,  # noqa: F401 - registers the writing pages on the blueprint
    queries,
)
from .demo import build_demo_notes
from .export import SECTION
from .models import CATEGORY_LABELS
from .views import bp

CAPABILITIES = (
    # Everyone may open the journal; the audience filter decides what each person sees in it.
    Capability("notes.read", "Read notes addressed to them", ALL_ROLES),
    Capability("notes.write", "Write notes and edit their own", CARE_TEAM),
    Capability("notes.comment", "Comment on notes they can see", ALL_ROLES),
    Capability(
        "notes.moderate",
        "Pin notes, edit and restore other people's notes",
        frozenset({Role.COORDINATOR}),
    ),
)


def recent_notes_section(circle: Any = None, membership: Any = None, **_: Any) -> dict | None:
    """Build the "Recent notes" block on the circle home page, or leave it out."""
    if circle is None or not member_can(membership, "notes.read"):
        return None
    recent = queries.recent_notes(circle, membership)
    return {
        "circle": circle,
        "notes": recent.rows,
        "unread": recent.unread,
        "unread_text": queries.unread_text(recent.unread),
        "category_labels": {c.value: label for c, label in CATEGORY_LABELS.items()},
    }


def init_notes(app: Flask) -> None:
    """Register the notes feature on ``app``."""
    add_capability(app, *CAPABILITIES)
    app.register_blueprint(bp)
    registry = app.extensions["careteam_ui"]
    registry.add_nav("circle", NavItem("Notes", "notes.feed", order=20))
    registry.add_section(
        "circle_home",
        PageSection(
            key="recent-notes",
            title="Recent notes",
            template="notes/_recent_section.html",
            order=20,
            context=recent_notes_section,
        ),
    )
    add_export_section(app, SECTION)
    with app.app_context():
        register_builder(DemoBuilder("notes", build_demo_notes, order=200))
