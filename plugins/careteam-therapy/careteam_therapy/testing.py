"""URL-argument factories for CareTeam's route-wide tests (entry point careteam.test_factories).

Each makes a real object in the test circle, so the permission matrix and the cross-circle
probes can visit every therapy page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from careteam.api import Circle, db, membership_of
from careteam.testing import register_url_argument

from . import programmes
from .tasks import TaskInput, from_library

# Library entries a test programme is made of (one exercise with sets and reps, one strategy).
DEFAULT_ENTRIES = ("sit-to-stand", "planned-rests")


def make_programme(
    app: Any,
    setup: Any,
    title: str = "Walking and balance",
    entries: tuple[str, ...] = DEFAULT_ENTRIES,
    start: date | None = None,
) -> str:
    """Prescribe a programme from library entries in the test circle, as its therapist;
    return its public id."""
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        therapist = membership_of(circle, setup.people["therapist"].id)
        first = start or programmes.today_in(circle)
        tasks: list[TaskInput] = [t for slug in entries if (t := from_library(slug, first))]
        programme = programmes.create_programme(circle, therapist, title, tasks, first)
        db.session.commit()
        return programme.public_id


def _programme(app: Any, setup: Any, _role: str | None) -> str:
    return make_programme(app, setup)


register_url_argument("programme_id", _programme)
# Version 1 is every programme's first: the sheet's ``number`` needs no object of its own.
register_url_argument("number", lambda _app, _setup, _role: "1")
