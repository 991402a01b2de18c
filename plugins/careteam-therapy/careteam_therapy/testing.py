"""URL-argument factories for CareTeam's route-wide tests (entry point careteam.test_factories).

Each makes a real object in the test circle, so the permission matrix and the cross-circle
probes can visit every therapy page.  ``make_programme`` is also the tests' way to get a
programme (it writes the rows as the demo does, see :mod:`.demo`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from careteam.api import Circle, db, membership_of
from careteam.testing import register_url_argument

from . import logs, pauses
from .demo import TaskSpec, write_programme
from .logs import local_today

DEFAULT_TASKS = (TaskSpec("Sit to stand", sets=2, reps=8),)


def make_programme(
    app: Any,
    setup: Any,
    tasks: tuple[TaskSpec, ...] | list[TaskSpec] = DEFAULT_TASKS,
    *,
    title: str = "Walking and balance",
    start: date | None = None,
    therapist: str | None = "therapist",
) -> str:
    """Add a programme prescribed by the circle's therapist; return its public id."""
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        first = start or local_today(circle) - timedelta(days=14)
        therapist_id = setup.people[therapist].id if therapist else None
        programme = write_programme(circle, therapist_id, title, list(tasks), start=first)
        db.session.commit()
        return programme.public_id


def _programme(app: Any, setup: Any, _role: str | None) -> str:
    return make_programme(app, setup)


def _pause(app: Any, setup: Any, _role: str | None) -> str:
    programme_id = make_programme(app, setup)
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(circle, setup.people["caregiver"].id)
        programme = logs.get_programme(circle, programme_id)
        today = local_today(circle)
        pause = pauses.pause_programme(
            circle, member, programme, start=today, end=None, note="Flare-up", today=today
        )
        db.session.commit()
        return pause.public_id


# programme_id belongs to the authoring pages (their factory registers it for every endpoint);
# these name the logging pages only, so both can live side by side.
register_url_argument("programme_id", _programme, endpoint="therapy.pause")
register_url_argument("programme_id", _programme, endpoint="therapy.logs_download")
register_url_argument("pause_id", _pause)
