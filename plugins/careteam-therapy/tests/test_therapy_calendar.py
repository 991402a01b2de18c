"""Therapy days in calendar feeds: only for members who opted in, every detail level, stable
UIDs, the window from two weeks back to four weeks ahead, one statement per circle."""

from __future__ import annotations

import re
from datetime import date, timedelta

import icalendar
import pytest
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme

_URL = re.compile(r'id="feed-url" readonly value="([^"]+)"')


def _opt_in(client, setup, calendar=True, reminders=False):
    data = {"calendar": "y"} if calendar else {}
    if reminders:
        data["reminders"] = "y"
    response = client.post_form(setup.url("/therapy/settings"), data)
    assert response.status_code == 302


def _feed(client, setup, detail="full"):
    page = client.post_form(
        setup.url("/appointments/subscribe"), {"detail": detail, "action": "create"}
    )
    path = _URL.search(page.get_data(as_text=True)).group(1).removeprefix("http://careteam.test")
    response = client.get(path)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.data)


def _ours(calendar):
    return [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("therapy-")]


def _today(app, setup):
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    with app.app_context():
        return today_in(db.session.get(Circle, setup.id))


@pytest.fixture
def daily(app, circle_with_roles):
    today = _today(app, circle_with_roles)
    return make_programme(app, circle_with_roles, start=today - timedelta(days=60))


def test_only_members_who_opted_in_get_therapy_days(app, client_as, circle_with_roles, daily):
    family, caregiver = client_as("family"), client_as("caregiver")
    _opt_in(family, circle_with_roles)
    assert _ours(_feed(caregiver, circle_with_roles)) == []
    events = _ours(_feed(family, circle_with_roles))
    today = _today(app, circle_with_roles)
    days = sorted(e.decoded("dtstart") for e in events)
    # A daily task, all day: one item a day from 14 days back to 28 ahead.
    assert days == [today + timedelta(days=n) for n in range(-14, 29)]
    assert all(isinstance(d, date) for d in days)
    # Turned off again: gone.
    _opt_in(family, circle_with_roles, calendar=False)
    assert _ours(_feed(family, circle_with_roles)) == []


def test_supporters_get_nothing_even_with_the_setting(app, client_as, circle_with_roles, daily):
    from careteam_therapy.models import MemberSetting

    from careteam.api import db

    with app.app_context():
        db.session.add(
            MemberSetting(
                circle_id=circle_with_roles.id,
                user_id=circle_with_roles.people["supporter"].id,
                calendar=True,
                reminders=True,
            )
        )
        db.session.commit()
    assert _ours(_feed(client_as("supporter"), circle_with_roles)) == []


@pytest.mark.parametrize("detail", ["full", "titles", "busy"])
def test_every_detail_level(app, client_as, circle_with_roles, daily, detail):
    client = client_as("caregiver")
    _opt_in(client, circle_with_roles)
    events = _ours(_feed(client, circle_with_roles, detail))
    assert len(events) == 43
    event = events[0]
    if detail == "busy":
        assert str(event["summary"]) == "Busy" and "description" not in event
    else:
        assert str(event["summary"]) == "Walking and balance (1 task)"
        assert ("Sit to stand" in str(event.get("description", ""))) == (detail == "full")


def test_uids_are_stable_and_a_new_version_bumps_the_sequence(
    app, client_as, circle_with_roles, daily
):
    from careteam_therapy.demo import write_version
    from careteam_therapy.models import Task
    from careteam_therapy.programmes import get_programme

    from careteam.api import Circle, db

    client = client_as("caregiver")
    _opt_in(client, circle_with_roles)
    first = {str(e["uid"]): int(e["sequence"]) for e in _ours(_feed(client, circle_with_roles))}
    again = {str(e["uid"]): int(e["sequence"]) for e in _ours(_feed(client, circle_with_roles))}
    assert first == again and set(first.values()) == {1}
    today = _today(app, circle_with_roles)
    with app.app_context():
        programme = get_programme(db.session.get(Circle, circle_with_roles.id), daily)
        key = db.session.scalar(db.select(Task.key).where(Task.programme_id == programme.id))
        write_version(
            programme,
            [(key, TaskSpec("Sit to stand", sets=3, reps=8))],
            effective_from=today,
            start=today - timedelta(days=60),
            author_id=circle_with_roles.people["therapist"].id,
        )
        db.session.commit()
    after = {str(e["uid"]): int(e["sequence"]) for e in _ours(_feed(client, circle_with_roles))}
    assert set(after) == set(first)
    assert {after[uid] for uid in after if uid.split("-")[-1].startswith("s")} == {1, 2}


def test_times_of_day_make_timed_items(app, client_as, circle_with_roles):
    today = _today(app, circle_with_roles)
    make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec(
                "Marching",
                sets=2,
                reps=20,
                times_per_day=2,
                times_of_day="09:00 17:00",
                weekdays=(today.weekday(),),
            )
        ],
        start=today,
    )
    client = client_as("caregiver")
    _opt_in(client, circle_with_roles)
    events = _ours(_feed(client, circle_with_roles))
    starts = sorted(e.decoded("dtstart") for e in events)
    assert [(s.hour, s.minute) for s in starts[:2]] == [(9, 0), (17, 0)]
    assert len(events) == 2 * 5  # today and the same weekday in each of the next four weeks


def test_one_statement_per_circle(app, circle_with_roles, daily):
    from datetime import UTC, datetime

    from careteam_therapy.calendar_items import calendar_items
    from careteam_therapy.models import MemberSetting
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db, membership_of
    from careteam.testing import sql_statements

    for title in ("Second", "Third"):
        make_programme(app, circle_with_roles, title=title)
    with app.app_context():
        db.session.add(
            MemberSetting(
                circle_id=circle_with_roles.id,
                user_id=circle_with_roles.people["family"].id,
                calendar=True,
                reminders=False,
            )
        )
        db.session.commit()
        circle = db.session.get(Circle, circle_with_roles.id)
        member = membership_of(circle, circle_with_roles.people["family"].id)
        now = datetime.now(UTC)
        today = today_in(circle)
        with sql_statements(app) as statements:
            items = calendar_items(
                circle, member, now - timedelta(days=365), now + timedelta(days=365), today
            )
        # Core may read the plugin switches once per request; the plugin's own reads: one.
        ours = [s for s in statements if "therapy_" in s]
        assert len(ours) == 1, ours
        assert len(items) == 3 * 43
