"""The Today page, the circle home panel, the member's settings and the daily reminder."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from careteam_therapy import programmes
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme
from sqlalchemy import select

from careteam.testing import message_text, send_reminders


def _today(app, setup):
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    with app.app_context():
        return today_in(db.session.get(Circle, setup.id))


def _done(client, setup, index=0, day=None):
    url = setup.url("/therapy/today" + (f"?day={day}" if day else ""))
    html = client.get(url).get_data(as_text=True)
    blocks = re.findall(r'/therapy/today/log" class="inline-form">(.*?)</form>', html, re.S)
    fields = dict(
        re.findall(r'name="(programme|task|day|slot|token)" value="([^"]*)"', blocks[index])
    )
    response = client.post_form(
        setup.url("/therapy/today/log"), {**fields, "status": "done"}, page=url
    )
    assert response.status_code == 302
    return response


def test_today_lists_every_due_time_and_a_week_of_days(app, client_as, circle_with_roles):
    today = _today(app, circle_with_roles)
    make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("Sit to stand", sets=2, reps=8),
            TaskSpec("Marching", sets=2, reps=20, times_per_day=2),
            TaskSpec("Not today", sets=1, reps=5, weekdays=((today.weekday() + 1) % 7,)),
        ],
    )
    client = client_as("care_recipient")
    html = client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    assert "Sit to stand" in html and "Marching (1 of 2)" in html and "Marching (2 of 2)" in html
    assert "Not today" not in html
    assert html.count(">Done<span") == 3 and "0 of 3 logged today" in html
    days = re.findall(r'/therapy/today\?day=(\d{4}-\d{2}-\d{2})"', html)
    assert days == [str(today - timedelta(days=n)) for n in range(1, 8)]
    yesterday = client.get(circle_with_roles.url(f"/therapy/today?day={today - timedelta(days=1)}"))
    assert yesterday.status_code == 200 and "Therapy on" in yesterday.get_data(as_text=True)


def test_logging_yesterday_and_the_view_is_audited(app, client_as, circle_with_roles):
    from careteam_therapy.models import Log

    from careteam.api import db

    today = _today(app, circle_with_roles)
    yesterday = today - timedelta(days=1)
    make_programme(app, circle_with_roles)
    client = client_as("family")
    response = _done(client, circle_with_roles, day=yesterday)
    assert response.headers["Location"].endswith(f"/therapy/today?day={yesterday}")
    with app.app_context():
        [log] = db.session.scalars(select(Log)).all()
        assert log.day == yesterday and log.logged_by_id == circle_with_roles.people["family"].id
    audit = client_as("coordinator").get(circle_with_roles.url("/audit")).get_data(as_text=True)
    assert "Viewed a day of therapy" in audit and "Logged a therapy task" in audit


def test_nothing_due_and_supporters(app, client_as, circle_with_roles):
    html = client_as("family").get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    assert "Nothing is due today" in html
    assert client_as("supporter").get(circle_with_roles.url("/therapy/today")).status_code == 403


def test_the_home_panel_counts_done_and_due_today(app, client_as, circle_with_roles):
    client = client_as("caregiver")
    assert "Therapy today" not in client.get(circle_with_roles.url()).get_data(as_text=True)
    make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("Sit to stand", sets=2, reps=8),
            TaskSpec("Marching", sets=2, reps=20, times_per_day=2),
        ],
    )
    home = client.get(circle_with_roles.url()).get_data(as_text=True)
    assert "Therapy today" in home and "0 of 3</strong> done today" in home
    _done(client, circle_with_roles)
    home = client.get(circle_with_roles.url()).get_data(as_text=True)
    assert "1 of 3</strong> done today (2 left)" in home
    assert "Therapy today" not in client_as("supporter").get(circle_with_roles.url()).get_data(
        as_text=True
    )


def test_the_panel_agrees_with_today_through_versions_and_pauses(app, circle_with_roles):
    """The panel's one statement applies the same rule as Today (reading.in_force)."""
    from careteam_therapy import logs, pauses
    from careteam_therapy.demo import write_version
    from careteam_therapy.models import Task
    from careteam_therapy.panel import panel_figures, today_figures

    from careteam.api import Circle, db, membership_of

    today = _today(app, circle_with_roles)
    public_id = make_programme(
        app,
        circle_with_roles,
        [TaskSpec("A", sets=1, reps=1), TaskSpec("B", sets=1, reps=1, keep_in_flare=True)],
    )
    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        programme = programmes.get_programme(circle, public_id)
        keys = list(
            db.session.scalars(
                select(Task.key).where(Task.programme_id == programme.id).order_by(Task.position)
            )
        )
        # Version 2 from yesterday is in force today; version 3 starts only tomorrow.
        start = today - timedelta(days=14)
        write_version(
            programme,
            [
                (keys[0], TaskSpec("A", sets=1, reps=1, times_per_day=2)),
                (keys[1], TaskSpec("B", sets=1, reps=1, keep_in_flare=True)),
            ],
            effective_from=today - timedelta(days=1),
            start=start,
            author_id=circle_with_roles.people["therapist"].id,
        )
        write_version(
            programme,
            [(keys[0], TaskSpec("A", sets=1, reps=1, times_per_day=3))],
            effective_from=today + timedelta(days=1),
            start=start,
            author_id=circle_with_roles.people["therapist"].id,
        )
        db.session.commit()

        def both():
            page = logs.day_page(circle, today, today)
            panel = panel_figures(circle, today).today.due
            assert panel == page.due  # the panel's one statement reads the same versions
            return page.due, today_figures(circle, today).due

        assert both() == (3, 3)
        member = membership_of(circle, circle_with_roles.people["caregiver"].id)
        pauses.pause_programme(
            circle, member, programme, start=today, end=None, note="", today=today
        )
        db.session.commit()
        assert both() == (1, 1)  # only B, kept during a flare-up


def test_settings_are_the_members_own(app, client_as, circle_with_roles):
    from careteam_therapy.models import MemberSetting

    from careteam.api import db

    family = client_as("family")
    page = family.get(circle_with_roles.url("/therapy/settings"))
    assert page.status_code == 200 and "Put therapy days in my calendar feed" in page.get_data(
        as_text=True
    )
    assert (
        family.post_form(circle_with_roles.url("/therapy/settings"), {"reminders": "y"}).status_code
        == 302
    )
    shown = family.get(circle_with_roles.url("/therapy/settings")).get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*name="reminders"|<input[^>]*name="reminders"[^>]*checked', shown
    )
    assert not re.search(
        r'<input[^>]*checked[^>]*name="calendar"|<input[^>]*name="calendar"[^>]*checked', shown
    )
    with app.app_context():
        rows = [
            (s.user_id, s.calendar, s.reminders) for s in db.session.scalars(select(MemberSetting))
        ]
    assert rows == [(circle_with_roles.people["family"].id, False, True)]
    assert client_as("supporter").get(circle_with_roles.url("/therapy/settings")).status_code == 403


def _noon_today():
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def test_the_daily_reminder_goes_once_a_day_to_members_who_chose_it(
    app, mail, client_as, circle_with_roles
):
    make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("Sit to stand", sets=2, reps=8),
            TaskSpec("Marching", sets=2, reps=20, times_per_day=2),
        ],
    )
    family = client_as("family")
    family.post_form(circle_with_roles.url("/therapy/settings"), {"reminders": "y"})
    _done(family, circle_with_roles)
    now = _noon_today()
    send_reminders(app, now)
    people = circle_with_roles.people
    ours = [m for m in mail.messages if "home exercise" in message_text(m)]
    assert [m["To"] for m in ours] == [people["family"].email]
    assert "Today: 2 home exercises" in message_text(ours[0])
    assert send_reminders(app, now + timedelta(hours=2)).sent == 0
    before = len(mail.messages)
    send_reminders(app, now + timedelta(days=1))
    assert any("Today: 3 home exercises" in message_text(m) for m in mail.messages[before:])


def test_the_panel_shows_this_weeks_adherence_as_progress_counts_it(
    app, client_as, circle_with_roles
):
    import math
    import secrets

    from careteam_therapy.models import Log, Task
    from careteam_therapy.panel import panel_figures
    from careteam_therapy.progress import HALF, week_summary
    from careteam_therapy.schedule import monday_of

    from careteam.api import Circle, db

    today = _today(app, circle_with_roles)
    monday = monday_of(today)
    public_ids = [
        make_programme(app, circle_with_roles, [TaskSpec("Sit", sets=1, reps=5, times_per_day=2)]),
        make_programme(
            app,
            circle_with_roles,
            [TaskSpec("Walk", kind="activity", minutes=10, per_week=3)],
            title="Walking",
        ),
    ]
    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        found = [programmes.get_programme(circle, public_id) for public_id in public_ids]
        for programme, status in zip(found, ("done", "partly"), strict=True):
            task = db.session.scalar(select(Task).where(Task.programme_id == programme.id))
            db.session.add(
                Log(circle_id=circle.id, programme_id=programme.id, task_id=task.id,
                    task_key=task.key, day=today, slot=1, status=status,
                    token=secrets.token_urlsafe(32))
            )  # fmt: skip
        db.session.commit()
        weeks = week_summary(found, monday, today=today).values()
        credit = sum(week.credit for week in weeks)
        scheduled = sum(week.scheduled for week in weeks)
        expected = math.floor(credit * 100 / scheduled + HALF)
        figures = panel_figures(circle, today)
        assert figures.week_percent == expected
        assert figures.today.done == 2  # a partly time counts as done for today's figure
    html = client_as("family").get(circle_with_roles.url("")).get_data(as_text=True)
    assert f"This week so far: {expected}% of what was asked." in html


def test_the_panel_agrees_with_today_and_progress_every_day_of_a_worked_week(
    app, circle_with_roles
):
    """A fixed week (Monday 3 March 2025) with a version change on Wednesday, a pause on
    Thursday and Friday, partly and skipped logs, more logs than asked, a programme starting on
    Tuesday and an archived one: on each day the panel's one statement gives Today's figures
    and progress's week (both programmes combined), and two days are worked by hand."""
    import math
    import secrets
    from datetime import date

    from careteam_therapy import logs
    from careteam_therapy.demo import write_version
    from careteam_therapy.models import Log, Pause, Task, Version
    from careteam_therapy.panel import PanelFigures, TodayFigures, panel_figures, today_figures
    from careteam_therapy.progress import HALF, week_summary

    from careteam.api import Circle, db

    monday = date(2025, 3, 3)
    first = monday - timedelta(days=14)

    def day(n):
        return monday + timedelta(days=n)

    therapist = circle_with_roles.people["therapist"].id
    walking = make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("A", sets=1, reps=5, times_per_day=2),
            TaskSpec("B", kind="activity", minutes=10, per_week=3, keep_in_flare=True),
        ],
        start=first,
    )
    walks = make_programme(
        app,
        circle_with_roles,
        [TaskSpec("D", kind="activity", minutes=20, per_week=5)],
        title="Walks",
        start=day(1),
    )
    archived = make_programme(app, circle_with_roles, [TaskSpec("E", sets=1, reps=1)], start=first)
    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        found = {p: programmes.get_programme(circle, p) for p in (walking, walks, archived)}
        one = found[walking]
        a, b = db.session.scalars(
            select(Task.key).where(Task.programme_id == one.id).order_by(Task.position)
        ).all()
        # Wednesday: A once a day, B kept, C new on Monday, Wednesday and Friday.
        write_version(
            one,
            [
                (a, TaskSpec("A", sets=1, reps=5)),
                (b, TaskSpec("B", kind="activity", minutes=10, per_week=3, keep_in_flare=True)),
                (None, TaskSpec("C", sets=1, reps=5, weekdays=(0, 2, 4))),
            ],
            effective_from=day(2),
            start=first,
            author_id=therapist,
        )
        # Next Wednesday's version must not count in this week.
        write_version(
            one,
            [(a, TaskSpec("A", sets=1, reps=5, times_per_day=3))],
            effective_from=day(9),
            start=first,
            author_id=therapist,
        )
        db.session.add(
            Pause(circle_id=circle.id, programme_id=one.id, start_date=day(3), end_date=day(4))
        )
        found[archived].archived_at = datetime.now(UTC)
        db.session.flush()

        def log(programme, title, n, slot, status, fatigue=None):
            # The task row of the version in force that day, as logging would pick it.
            task = db.session.scalar(
                select(Task)
                .join(Version, Version.id == Task.version_id)
                .where(
                    Task.programme_id == programme.id,
                    Task.title == title,
                    Version.effective_from <= day(n),
                )
                .order_by(Version.number.desc())
                .limit(1)
            )
            db.session.add(
                Log(circle_id=circle.id, programme_id=programme.id, task_id=task.id,
                    task_key=task.key, day=day(n), slot=slot, status=status, fatigue=fatigue,
                    token=secrets.token_urlsafe(32))
            )  # fmt: skip

        log(one, "A", -1, 1, "done")  # last week's Sunday: not this week
        log(one, "A", 0, 1, "done")
        log(one, "A", 0, 2, "partly", fatigue=6)
        log(one, "B", 0, 1, "done")
        log(one, "A", 1, 1, "done")
        log(one, "A", 1, 2, "skipped")
        log(one, "A", 2, 1, "partly")
        log(one, "C", 2, 1, "done")
        log(one, "B", 2, 1, "done")
        log(one, "B", 3, 1, "done")  # paused, but B is kept during a flare-up
        log(one, "A", 5, 1, "done")
        log(one, "B", 5, 1, "done")
        log(one, "A", 6, 1, "done")
        log(one, "B", 6, 1, "done")  # B five times: three asked, the rest is extra
        log(found[walks], "D", 1, 1, "done")
        log(found[walks], "D", 2, 1, "partly")
        log(found[walks], "D", 6, 1, "done")
        for n in range(7):
            log(found[archived], "E", n, 1, "done")
        db.session.commit()

        live = [one, found[walks]]
        shown = {}
        for n in range(7):
            today = day(n)
            figures = panel_figures(circle, today)
            weeks = week_summary(live, monday, today=today).values()
            credit = sum(week.credit for week in weeks)
            scheduled = sum(week.scheduled for week in weeks)
            expected = math.floor(credit * 100 / scheduled + HALF) if scheduled else None
            assert figures.week_percent == expected, today
            alone = today_figures(circle, today)
            assert figures.today == alone, today
            assert figures.today.due == logs.day_page(circle, today, today).due, today
            shown[n] = (figures.today.due, figures.today.done, figures.week_percent)
        # Worked by hand.  Monday: A 2 asked, 1 done + 1 partly; B 3/7 rounds to 0 asked.
        assert shown[0] == (3, 3, 75)  # 1.5 of 2
        # Thursday (paused): A 5 asked (2+2+1), credit 2 + 2 x 1/2 = 3; B 4 x 3/7 -> 2 asked,
        # 3 done, capped at 2; C 1 of 1; D 3 x 5/7 -> 2 asked, 1 + 1/2.  Today: B and D due.
        assert shown[3] == (2, 1, 75)  # 7.5 of 10
        # Sunday: A 7 asked, 4 + 2 x 1/2 = 5; B 3 of 3 (5 done); C 1 of 1; D 6 x 5/7 -> 4
        # asked, 2.5.  Today: A, B and D due and done.
        assert shown[6] == (3, 3, 77)  # 11.5 of 15
        # Before the first programme began: nothing in force, no week.
        assert panel_figures(circle, first - timedelta(days=1)) == PanelFigures(
            TodayFigures(due=0, done=0, programmes=0, tasks=0), None
        )
