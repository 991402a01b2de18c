"""URL-argument factories for CareTeam's route-wide tests (entry point careteam.test_factories).

Each makes a real object in the test circle, so the permission matrix and the cross-circle
probes can visit every therapy page.  ``make_programme`` is also the tests' way to get a
programme: it prescribes through the authoring service, as the therapist's pages do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from careteam.api import Circle, db, membership_of
from careteam.testing import build_circle, register_url_argument, switch_on_every_plugin

from . import demo, pauses, programmes
from .demo import TaskSpec
from .library import LIBRARY
from .models import TaskTemplate
from .tasks import TEMPLATE_FIELDS, from_library

# A test programme's one task unless told otherwise: the library's sit to stand, due once every
# day, so every day of a test has exactly one time to log.
DEFAULT_TASKS = (
    demo.from_library("sit-to-stand", sets=2, reps=8, weekdays=tuple(range(7)), times_per_day=1),
)


def make_programme(
    app: Any,
    setup: Any,
    tasks: Sequence[TaskSpec] | None = None,
    *,
    title: str = "Walking and balance",
    entries: tuple[str, ...] = (),
    start: date | None = None,
    therapist: str | None = "therapist",
) -> str:
    """Prescribe a programme in the test circle as its therapist; return its public id.

    Its tasks are ``tasks``, or copies of the library ``entries``, or ``DEFAULT_TASKS``; they
    start on ``start`` (two weeks ago by default, so the last seven days can be logged).
    ``therapist`` names the role whose member the programme's alerts go to afterwards (None:
    nobody, as when the therapist has left)."""
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        prescriber = membership_of(circle, setup.people["therapist"].id)
        first = start or programmes.today_in(circle) - timedelta(days=14)
        if entries:
            inputs = [t for slug in entries if (t := from_library(slug, first))]
        else:
            inputs = [spec.to_input(first) for spec in tasks or DEFAULT_TASKS]
        programme = programmes.create_programme(circle, prescriber, title, inputs, first)
        if therapist != "therapist":
            programme.therapist_id = setup.people[therapist].id if therapist else None
        db.session.commit()
        return programme.public_id


def add_versions(app: Any, setup: Any, programme_id: str, count: int) -> None:
    """Save ``count`` more versions of a programme, each with more library tasks than the last
    (for statement counts that must not grow with the data)."""
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        therapist = membership_of(circle, setup.people["therapist"].id)
        programme = programmes.get_programme(circle, programme_id)
        start = programmes.today_in(circle)
        for _ in range(count):
            size = min(len(LIBRARY), programme.current_version + 2)
            tasks = [t for e in LIBRARY[:size] if (t := from_library(e.slug, start))]
            programmes.save_version(
                circle,
                programme,
                therapist,
                from_version=programme.current_version,
                title=programme.title,
                tasks=tasks,
                change_note=f"Version {programme.current_version + 1}",
                effective_from=start,
            )
        db.session.commit()


def _programme(app: Any, setup: Any, _role: str | None) -> str:
    return make_programme(app, setup)


def _pause(app: Any, setup: Any, _role: str | None) -> str:
    programme_id = make_programme(app, setup)
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(circle, setup.people["caregiver"].id)
        programme = programmes.get_programme(circle, programme_id)
        today = programmes.today_in(circle)
        pause = pauses.pause_programme(
            circle, member, programme, start=today, end=None, note="Flare-up", today=today
        )
        db.session.commit()
        return pause.public_id


register_url_argument("programme_id", _programme)
register_url_argument("pause_id", _pause)
# Version 1 is every programme's first: the sheet's ``number`` needs no object of its own.
register_url_argument("number", lambda _app, _setup, _role: "1")


# --- reading a page's form, as a browser would send it -----------------------------------------


class _FormReader(HTMLParser):
    """The fields of the form whose action ends with ``action``: (name, value) pairs in page
    order, as a browser sends them (checked boxes only, the selected option, text areas)."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action", "").endswith(self.action)
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") in ("submit", "button"):
                return
            self.fields.append((a["name"], a.get("value", "y" if a.get("type") else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, action: str) -> dict[str, list[str]]:
    """{name: [values]} of the form posting to a URL ending with ``action`` in ``html``."""
    reader = _FormReader(action)
    reader.feed(html)
    fields: dict[str, list[str]] = {}
    for name, value in reader.fields:
        fields.setdefault(name, []).append(value)
    return fields


def make_template_for(app: Any, therapist: Any, coordinator: Any) -> str:
    """Make ``therapist`` (a user) a prescriber in a new circle that ``coordinator`` runs, and
    give them a template copied from the library; return its public id (for the route-wide
    tests of the templates pages outside circles)."""
    setup = build_circle(
        app, {"coordinator": coordinator, "therapist": therapist}, name="Templates circle"
    )
    switch_on_every_plugin(app, setup)
    with app.app_context():
        task = from_library("sit-to-stand", date(2026, 1, 5))
        template = TaskTemplate(
            owner_id=therapist.id, **{name: getattr(task, name) for name in TEMPLATE_FIELDS}
        )
        db.session.add(template)
        db.session.commit()
        return template.public_id
