"""Per-request SQL budgets: every page costs the same statements however much data a circle has.

Each page is requested as a signed-in coordinator (who sees the most) in a circle with some data
and again after ten times as much was added.  Its statements are split in two:

- the **prelude** every circle page pays (session user, circle + membership, plugin switches,
  and the view's audit row): everything before the guard's ``circle_view_starting`` signal,
  plus audit inserts; at most :data:`PRELUDE_BUDGET`;
- the **page**: everything else; equal at both sizes and within the page's budget.

Transaction control (BEGIN, COMMIT, SAVEPOINT ...) is not counted: SQLite issues it explicitly
and PostgreSQL's driver does not, and it is no round trip to a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask, g, session

from careteam.db.clock import utcnow
from careteam.extensions import db
from careteam.permissions import circle_view_starting
from careteam.testing import sql_statements

PRELUDE_BUDGET = 2  # the session with the guard's rows (one statement), the audit row
# DESIGN.md section 5 and issue 7: statements per page beyond the prelude.
FEED_BUDGET = 2  # the page of notes with the unread count, the authors for the filter
SEARCH_BUDGET = 3
AGENDA_BUDGET = 3
# The issue's home budget: 2 + 1 per plugin panel (devices and hello here).  Not met yet: see
# test_home_meets_the_issue_budget (xfail) for where the statements go.
HOME_ISSUE_BUDGET = 2 + 2
# What the home page costs today, pinned so it cannot grow: what's next 4 (appointments and
# series, their changes, help wanted, requests to join), device checks 4 (devices, checklist
# items, last answers, problems with who found them: shared with what's next), kind words 2
# (words with their authors' names, the count), recent notes with the unread count 1, recent
# activity 1, members 1.
HOME_BUDGET = 13
HOME_PANELS = 6  # what's next, recent notes, device checks, recent activity, kind words, members
# No budget in the issue: kept as low as reasonable and pinned here so a regression shows.
DETAIL_BUDGET = 4  # the note with its author, comments, acknowledgements, read marker
MONTH_BUDGET = 2  # singles and series in one query, their changed occurrences
# The person's /home page (outside circles, no guard): the session with its user, then "My
# circles" (the first few with their member counts).  Plugins' home panels add their own reads
# (tests/test_plugins_home_panels.py): a panel's statements are the panel's.
DASHBOARD_BUDGET = 2
HOME_PANEL_READS = 2
DEVICES_BUDGET = 5  # devices, items, last answers, problems, retired (or the check under way)
THERAPY_PROGRESS_BUDGET = 4  # the programme, its versions with tasks, the pauses, the logs
HELLO_BUDGET = 2
# Issue 20: the programme page within 4 (the programme, its current version with its tasks and
# their author's name); the circle's programme list is one statement.
THERAPY_PROGRAMME_BUDGET = 4
THERAPY_INDEX_BUDGET = 1
# Therapy (issue 20): Today reads the programmes with their pauses, the versions with their
# tasks, the day's logs with who wrote them; the home panel is one statement.
THERAPY_TODAY_BUDGET = 3
THERAPY_PANEL = 1

SMALL = 1
LARGE = 10
NOTES_PER_UNIT = 60  # more than two feed pages even at the small size
_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
_AUDIT_INSERT = re.compile(r"\s*INSERT INTO audit_events\b", re.I)


@dataclass
class Cost:
    prelude: list[str] = field(default_factory=list)
    page: list[str] = field(default_factory=list)

    def describe(self) -> str:
        lines = [f"prelude {len(self.prelude)}, page {len(self.page)}:"]
        lines += ["  prelude: " + " ".join(s.split())[:160] for s in self.prelude]
        lines += ["  page:    " + " ".join(s.split())[:160] for s in self.page]
        return "\n".join(lines)


def request_cost(app: Flask, client: Any, url: str) -> Cost:
    """GET ``url`` and split the statements it ran into prelude and page."""
    view_started_at: list[int] = []
    with sql_statements(app) as statements:

        def starting(_sender: Any) -> None:
            view_started_at.append(len(statements))

        with circle_view_starting.connected_to(starting, app):
            response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert len(view_started_at) == 1, "not a guarded circle page"
    counted = [(i, s) for i, s in enumerate(statements) if not _TRANSACTION_CONTROL.match(s)]
    cost = Cost()
    for index, statement in counted:
        in_prelude = index < view_started_at[0] or _AUDIT_INSERT.match(statement)
        (cost.prelude if in_prelude else cost.page).append(statement)
    return cost


# --- data, added quickly in bulk ---------------------------------------------------------------


@dataclass
class Circle:
    setup: Any
    detail_note: str = ""
    device: str = ""
    programme: str = ""
    therapy_programme: str = ""
    notes: list[tuple[datetime, int]] = field(default_factory=list)


def add_notes(app: Flask, circle: Circle, units: int) -> None:
    """Add notes (every one with the word "walker", one per unit with "zebra"), comments on
    the detail note, and read markers for half of them."""
    from careteam.notes.models import Note, NoteComment, NoteRead

    setup = circle.setup
    author = setup.people["family"].id
    reader = setup.people["coordinator"].id
    start = len(circle.notes)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        notes = []
        for index in range(start, start + units * NOTES_PER_UNIT):
            when = base + timedelta(minutes=index)
            rare = " zebra" if index % NOTES_PER_UNIT == 7 else ""
            notes.append(
                Note(
                    circle_id=setup.id,
                    author_id=author,
                    title=f"Day {index}",
                    body=f"The walker brakes were checked today{rare}.",
                    excerpt="The walker brakes were checked today.",
                    category="update",
                    tags_text="",
                    audience="care_team" if index % 3 else "everyone",
                    version=1,
                    created_at=when,
                    updated_at=when,
                )
            )
        db.session.add_all(notes)
        db.session.flush()
        circle.notes += [(n.created_at, n.id) for n in notes]
        db.session.add_all(
            NoteRead(note_id=n.id, user_id=reader, seen_version=1) for n in notes[::2]
        )
        if not circle.detail_note:
            circle.detail_note = notes[0].public_id
        detail = db.session.scalar(db.select(Note.id).where(Note.public_id == circle.detail_note))
        db.session.add_all(
            NoteComment(note_id=detail, author_id=author, body=f"Comment {i}", created_at=base)
            for i in range(units * 5)
        )
        db.session.commit()


def add_appointments(app: Flask, circle: Circle, units: int) -> None:
    """Add upcoming single appointments and weekly series (with help wanted on some)."""
    from careteam.appointments import service
    from careteam.appointments.models import HelpSlot

    setup = circle.setup
    tomorrow = utcnow().date() + timedelta(days=1)
    with app.app_context():
        rows = []
        for index in range(units * 10):
            start = datetime.combine(tomorrow, time(9)) + timedelta(hours=7 * index)
            rows.append(_appointment(setup, f"Visit {index}", start, ""))
        for index in range(units * 3):
            start = datetime(2025, 1, 6, 8) + timedelta(minutes=10 * index)
            rows.append(_appointment(setup, f"Therapy {index}", start, "FREQ=WEEKLY"))
        for row in rows:
            service.derive_instants(row, [])
        db.session.add_all(rows)
        db.session.flush()
        db.session.add_all(
            HelpSlot(appointment_id=row.id, kind="ride_there", needed=1) for row in rows[::4]
        )
        db.session.commit()


def _appointment(setup: Any, title: str, start: datetime, rrule: str) -> Any:
    from careteam.appointments.models import Appointment

    return Appointment(
        circle_id=setup.id,
        created_by_id=setup.people["family"].id,
        title=title,
        kind="gp",
        audience="care_team",
        time_zone="Europe/London",
        start_local=start,
        end_local=start + timedelta(hours=1),
        rrule=rrule,
        sequence=0,
        location="",
        video_url="",
        notes="",
    )


def add_devices(app: Flask, circle: Circle, units: int) -> None:
    devices = pytest.importorskip(
        "careteam_devices.testing", reason="the devices plugin (careteam-devices) is not installed"
    )
    make_device = devices.make_device

    for index in range(units * 2):
        public_id = make_device(app, circle.setup, kind="rollator", name=f"Rollator {index}")
        circle.device = circle.device or public_id


def add_programmes(app: Flask, circle: Circle, units: int) -> None:
    """Add therapy programmes, and versions with more tasks to the first one."""
    therapy = pytest.importorskip(
        "careteam_therapy.testing", reason="the therapy plugin (careteam-therapy) is not installed"
    )
    for index in range(units * 2):
        public_id = therapy.make_programme(app, circle.setup, title=f"Programme {index}")
        circle.programme = circle.programme or public_id
    therapy.add_versions(app, circle.setup, circle.programme, units)


def add_kind_words(app: Flask, circle: Circle, units: int) -> None:
    KindWord = pytest.importorskip(
        "careteam_hello.models",
        reason="the example plugin (careteam-example-hello) is not installed",
    ).KindWord

    with app.app_context():
        db.session.add_all(
            KindWord(
                circle_id=circle.setup.id,
                author_id=circle.setup.people["family"].id,
                message=f"You are doing great {i}",
            )
            for i in range(units * 3)
        )
        db.session.commit()


def add_therapy_logs(app: Flask, circle: Circle, units: int) -> None:
    """A programme of two tasks (every day twice, and three a week) from 20 weeks ago, v2 from
    ten weeks ago, with logs on ``units`` times as many days and a pause per unit."""
    models = pytest.importorskip(
        "careteam_therapy.models", reason="the therapy plugin (careteam-therapy) is not installed"
    )
    import secrets

    setup = circle.setup
    today = utcnow().date()
    start = today - timedelta(weeks=20)
    with app.app_context():
        if not circle.therapy_programme:
            programme = models.Programme(circle_id=setup.id, title="Walking", current_version=2)
            db.session.add(programme)
            db.session.flush()
            for number, since in ((1, start), (2, today - timedelta(weeks=10))):
                version = models.Version(
                    programme_id=programme.id, number=number, effective_from=since
                )
                db.session.add(version)
                db.session.flush()
                for key, weekdays, per_week in (("sit", 127, None), ("walk", 0, 3)):
                    db.session.add(
                        models.Task(
                            key=key,
                            version_id=version.id,
                            programme_id=programme.id,
                            circle_id=setup.id,
                            kind="exercise",
                            title=key,
                            weekdays=weekdays,
                            per_week=per_week,
                            times_per_day=2 if per_week is None else 1,
                            start_date=start,
                        )
                    )
            db.session.commit()
            circle.therapy_programme = programme.public_id
        programme = db.session.scalar(
            db.select(models.Programme).where(
                models.Programme.public_id == circle.therapy_programme
            )
        )
        task_id = db.session.scalar(
            db.select(models.Task.id).where(models.Task.programme_id == programme.id).limit(1)
        )
        taken = set(
            db.session.execute(
                db.select(models.Log.day, models.Log.slot).where(
                    models.Log.programme_id == programme.id
                )
            ).all()
        )
        free = [
            (start + timedelta(days=n), slot)
            for n in range((today - start).days)
            for slot in (1, 2)
            if (start + timedelta(days=n), slot) not in taken
        ]
        db.session.add_all(
            models.Log(
                circle_id=setup.id,
                programme_id=programme.id,
                task_id=task_id,
                task_key="sit",
                day=day,
                slot=slot,
                status="done",
                pain=3,
                token=secrets.token_urlsafe(32),
            )
            for day, slot in free[: units * 20]
        )
        db.session.add_all(
            models.Pause(
                circle_id=setup.id,
                programme_id=programme.id,
                start_date=start + timedelta(days=7 * n),
                end_date=start + timedelta(days=7 * n + 1),
            )
            for n in range(len(taken) // 20, len(taken) // 20 + units)
        )
        db.session.commit()


def add_therapy(app: Flask, circle: Circle, units: int) -> None:
    """Add programmes (three tasks each, one done twice a day) with a week of logs."""
    therapy = pytest.importorskip(
        "careteam_therapy.testing", reason="the therapy plugin (careteam-therapy) is not installed"
    )
    from careteam_therapy.demo import TaskSpec
    from careteam_therapy.models import Log, Programme, Task
    from careteam_therapy.programmes import today_in

    from careteam.circles.models import Circle as CircleRow

    tasks = [
        TaskSpec("Sit to stand", sets=2, reps=8),
        TaskSpec("Marching", sets=2, reps=20, times_per_day=2),
        TaskSpec("Walk", kind="activity", minutes=10, per_week=5),
    ]
    for index in range(units):
        public_id = therapy.make_programme(app, circle.setup, tasks, title=f"Programme {index}")
        with app.app_context():
            today = today_in(db.session.get(CircleRow, circle.setup.id))
            rows = db.session.scalars(
                db.select(Task)
                .join(Programme, Programme.id == Task.programme_id)
                .where(Programme.public_id == public_id)
            ).all()
            db.session.add_all(
                Log(circle_id=circle.setup.id, programme_id=task.programme_id, task_id=task.id,
                    task_key=task.key, day=today - timedelta(days=back), slot=1, status="done",
                    token=f"budget-{task.id}-{back}", logged_by_id=circle.setup.people["family"].id)
                for task in rows
                for back in range(7)
            )  # fmt: skip
            db.session.commit()


def add_everything(app: Flask, circle: Circle, units: int) -> None:
    add_notes(app, circle, units)
    add_appointments(app, circle, units)
    add_devices(app, circle, units)
    add_kind_words(app, circle, units)
    if _installed("careteam_therapy"):
        add_therapy(app, circle, units)


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# Each installed plugin with a home panel adds its statements to the circle home.
HOME_WITH_PLUGINS = HOME_BUDGET + (THERAPY_PANEL if _installed("careteam_therapy") else 0)


# --- the pages -------------------------------------------------------------------------------


def _deep_cursor(circle: Circle) -> str:
    """A keyset cursor far into the feed: past 80% of the notes, newest first."""
    from careteam.notes.queries import encode_cursor

    created_at, note_id = sorted(circle.notes)[len(circle.notes) // 5]
    return encode_cursor(False, created_at, note_id)


def _next_month() -> str:
    today = utcnow().date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return f"{first:%Y-%m}"


@dataclass(frozen=True)
class Scenario:
    name: str
    url: Callable[[Circle], str]
    grow: Callable[[Flask, Circle, int], None]
    budget: int


SCENARIOS = [
    Scenario("circle home", lambda c: c.setup.url(), add_everything, HOME_WITH_PLUGINS),
    Scenario("feed page 1", lambda c: c.setup.url("/notes"), add_notes, FEED_BUDGET),
    Scenario(
        "feed deep page",
        lambda c: c.setup.url(f"/notes?after={_deep_cursor(c)}"),
        add_notes,
        FEED_BUDGET,
    ),
    Scenario(
        "note detail with comments",
        lambda c: c.setup.url(f"/notes/{c.detail_note}"),
        add_notes,
        DETAIL_BUDGET,
    ),
    Scenario(
        "search, rare term",
        lambda c: c.setup.url("/notes/search?q=zebra"),
        add_notes,
        SEARCH_BUDGET,
    ),
    Scenario(
        "search, common term",
        lambda c: c.setup.url("/notes/search?q=walker+brakes"),
        add_notes,
        SEARCH_BUDGET,
    ),
    Scenario("agenda", lambda c: c.setup.url("/appointments"), add_appointments, AGENDA_BUDGET),
    Scenario(
        "month grid",
        lambda c: c.setup.url(f"/appointments/month?month={_next_month()}"),
        add_appointments,
        MONTH_BUDGET,
    ),
    Scenario("devices index", lambda c: c.setup.url("/devices"), add_devices, DEVICES_BUDGET),
    Scenario(
        "device page", lambda c: c.setup.url(f"/devices/{c.device}"), add_devices, DEVICES_BUDGET
    ),
    Scenario("hello index", lambda c: c.setup.url("/hello"), add_kind_words, HELLO_BUDGET),
    Scenario(
        "therapy programmes",
        lambda c: c.setup.url("/therapy"),
        add_programmes,
        THERAPY_INDEX_BUDGET,
    ),
    Scenario(
        "therapy programme page",
        lambda c: c.setup.url(f"/therapy/{c.programme}"),
        add_programmes,
        THERAPY_PROGRAMME_BUDGET,
    ),
    Scenario(
        "therapy progress",
        lambda c: c.setup.url(f"/therapy/{c.therapy_programme}/progress"),
        add_therapy_logs,
        THERAPY_PROGRESS_BUDGET,
    ),
    Scenario(
        "therapy today",
        lambda c: c.setup.url("/therapy/today"),
        add_therapy,
        THERAPY_TODAY_BUDGET,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_page_costs_the_same_statements_at_any_size(
    app: Flask, client_as: Any, circle_with_roles: Any, scenario: Scenario
) -> None:
    circle = Circle(circle_with_roles)
    client = client_as("coordinator")
    scenario.grow(app, circle, SMALL)
    small = request_cost(app, client, scenario.url(circle))
    scenario.grow(app, circle, LARGE - SMALL)
    large = request_cost(app, client, scenario.url(circle))

    assert len(large.prelude) <= PRELUDE_BUDGET, large.describe()
    assert len(small.prelude) == len(large.prelude), small.describe() + "\n" + large.describe()
    assert len(small.page) == len(large.page), small.describe() + "\n" + large.describe()
    assert len(large.page) <= scenario.budget, large.describe()


@pytest.mark.xfail(strict=True, reason="home costs 13 statements beyond the prelude, not 2 + 2")
def test_home_meets_the_issue_budget(app: Flask, client_as: Any, circle_with_roles: Any) -> None:
    circle = Circle(circle_with_roles)
    add_everything(app, circle, SMALL)
    client = client_as("coordinator")
    html = client.get(circle.setup.url()).get_data(as_text=True)
    panels = HOME_PANELS + (THERAPY_PANEL if _installed("careteam_therapy") else 0)
    assert html.count('<section class="card" aria-labelledby="section-') == panels
    cost = request_cost(app, client, circle.setup.url())
    assert len(cost.page) <= HOME_ISSUE_BUDGET, cost.describe()


def test_home_costs_the_same_statements_in_one_circle_or_many(
    app: Flask, new_client: Any, make_user: Any
) -> None:
    """/home (the person's start page) reads the session and "My circles" whatever the number
    of circles; no installed plugin's home panel may add a read per circle."""
    from careteam.circles.testing import Person, build_circle
    from careteam.testing import signed_in

    def statements_of_home(circles: int) -> list[str]:
        user = make_user()
        person = Person(user.id, user.email, user.public_id)
        for index in range(circles):
            lead = make_user()
            lead_person = Person(lead.id, lead.email, lead.public_id)
            build_circle(app, {"coordinator": lead_person, "therapist": person}, name=f"C{index}")
        client = signed_in(new_client, person)
        with sql_statements(app) as statements:
            assert client.get("/home").status_code == 200
        return [s for s in statements if not _TRANSACTION_CONTROL.match(s)]

    few, many = statements_of_home(1), statements_of_home(12)
    assert len(few) == len(many), many
    # Each installed plugin's home panel reads in at most two statements (the hookspec's rule:
    # the person's circles, then its own rows), on top of core's.
    ui = app.extensions["careteam_ui"]
    plugin_panels = [s for s in ui.sections.get("dashboard", []) if s.plugin]
    assert len(many) <= DASHBOARD_BUDGET + HOME_PANEL_READS * len(plugin_panels), many


def test_the_prelude_is_session_membership_plugins_and_audit(
    app: Flask, client_as: Any, circle_with_roles: Any
) -> None:
    circle = Circle(circle_with_roles)
    add_notes(app, circle, SMALL)
    client = client_as("coordinator")
    cost = request_cost(app, client, circle.setup.url(f"/notes/{circle.detail_note}"))
    tables = [re.search(r"\bFROM (\w+)|\bINTO (\w+)", s) for s in cost.prelude]
    names = [m.group(1) or m.group(2) for m in tables if m]
    # The session with its user, the circle, the reader's membership and the circle's
    # switched-on plugins in one statement (careteam.circles.guard), then the audit row.
    assert names == ["user_sessions", "audit_events"], names
    guard_tables = ("user_sessions", "users", "circles", "memberships", "circle_plugins")
    assert all(table in cost.prelude[0] for table in guard_tables), cost.prelude


def test_a_page_outside_circles_reads_the_session_alone(
    app: Flask, client_as: Any, circle_with_roles: Any
) -> None:
    client = client_as("coordinator")
    with sql_statements(app) as statements:
        assert client.get("/account/profile").status_code == 200
    session_read = next(s for s in statements if "user_sessions" in s)
    assert "circle_plugins" not in session_read and "memberships" not in session_read


@pytest.mark.parametrize("role", ["coordinator", "supporter", "care_recipient", None])
def test_the_guard_reads_the_session_circle_and_membership_at_once(
    app: Flask, circle_with_roles: Any, make_user: Any, role: str | None
) -> None:
    """One statement brings the session's user and the guard's rows, per role; a person outside
    the circle gets None (the guard's 404)."""
    from flask_login import current_user, login_user

    from careteam.auth.models import User
    from careteam.auth.sessions import start_session
    from careteam.permissions import load_circle_membership
    from careteam.plugins.enablement import enabled_plugins

    person_id = circle_with_roles.people[role].id if role else make_user().id
    with app.test_request_context("/account"):
        user = db.session.get(User, person_id)
        start_session(user, remember=False)
        login_user(user)  # puts the session token in the cookie session
        db.session.commit()
        db.session.expire_all()
        del g._login_user  # a new request: Flask-Login has not loaded anyone yet
        with sql_statements(app) as statements:
            found = load_circle_membership(circle_with_roles.public_id)
            if found is not None:
                enabled_plugins(found[0].id)  # the switches came with the guard's query
            assert current_user.id == person_id
        reads = [s for s in statements if not s.startswith("BEGIN")]
        assert len(reads) == 1, statements
        if role is None:
            assert found is None
            return
        circle, membership = found
        assert (circle.id, membership.role, membership.user_id) == (
            circle_with_roles.id,
            role,
            person_id,
        )


def test_the_guard_reads_the_membership_alone_when_flask_login_found_the_user(
    app: Flask, circle_with_roles: Any
) -> None:
    """Signed in by a remember cookie (no session token in the cookie session yet): Flask-Login
    loads the user its own way and the guard reads only the membership."""
    from flask_login import login_user

    from careteam.auth.models import User
    from careteam.permissions import load_circle_membership

    person_id = circle_with_roles.people["family"].id
    with app.test_request_context("/account"):
        user = db.session.get(User, person_id)
        user.pending_session_token = "not-used-here"  # login_user asks for the cookie's value
        login_user(user)
        session.pop("_user_id")
        with sql_statements(app) as statements:
            circle, membership = load_circle_membership(circle_with_roles.public_id)
        assert (circle.id, membership.user_id) == (circle_with_roles.id, person_id)
        reads = [s for s in statements if not s.startswith("BEGIN")]
        assert len(reads) == 1 and "user_sessions" not in reads[0], statements


# --- the month grid's fast expansion -------------------------------------------------------------


def test_plain_daily_and_weekly_rules_expand_as_dateutil_does() -> None:
    """The arithmetic shortcut for plain rules (see recurrence._simple_starts) and the
    fast-forwarded start give exactly dateutil's occurrences, WKST, INTERVAL and UNTIL included."""
    import random

    from dateutil.rrule import rrulestr

    from careteam.appointments.recurrence import starts_between

    days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    chance = random.Random(7)  # a fixed sample of rules
    for _ in range(1000):
        parts = [f"FREQ={chance.choice(['DAILY', 'WEEKLY'])}"]
        start = datetime(2024, 1, 1, chance.randint(0, 23), chance.choice([0, 30]))
        start += timedelta(days=chance.randint(0, 400))
        if chance.random() < 0.5:
            parts.append(f"INTERVAL={chance.randint(1, 5)}")
        if chance.random() < 0.5:
            parts.append("BYDAY=" + ",".join(chance.sample(days, chance.randint(1, 4))))
        if chance.random() < 0.3:
            parts.append(f"WKST={chance.choice(days)}")
        if chance.random() < 0.2:
            parts.append(f"COUNT={chance.randint(1, 80)}")
        elif chance.random() < 0.3:
            parts.append(f"UNTIL={start + timedelta(days=chance.randint(0, 900)):%Y%m%dT%H%M%S}")
        text = ";".join(parts)
        low = start + timedelta(days=chance.randint(-30, 900), hours=chance.randint(0, 23))
        high = low + timedelta(days=chance.randint(0, 60))
        expected = rrulestr(text, dtstart=start).between(low, high, inc=True)
        assert starts_between(text, start, low, high) == expected, (text, start, low, high)
