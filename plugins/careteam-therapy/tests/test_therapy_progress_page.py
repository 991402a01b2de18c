"""The progress page: who sees it, what it shows, its keyset pages, bad ``before`` values, the
audit row, and a constant number of statements however many weeks of logs there are."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from careteam_therapy.schedule import monday_of, weekday_mask

from careteam.api import Circle, circle_zone, db, utcnow
from careteam.testing import (
    build_circle,
    people_for_every_role,
    sql_statements,
    switch_on_every_plugin,
)

from .progress_factories import add_logs, add_pause, add_programme, task

ROLES_WHO_SEE = ("coordinator", "family", "caregiver", "therapist", "care_recipient")
# The guard's session read and the view's audit row: the circle page's prelude.
PRELUDE = 2
PROGRESS_BUDGET = 4  # the programme, its versions with tasks, pauses, logs


def _today(app, setup) -> date:
    with app.app_context():
        return utcnow().astimezone(circle_zone(db.session.get(Circle, setup.id))).date()


@pytest.fixture
def programme(app, circle_with_roles):
    """Ten weeks of a daily walk and a twice-a-week balance task, v2 four weeks ago, a pause
    two weeks ago, and logs with pain and fatigue."""
    setup = circle_with_roles
    today = _today(app, setup)
    start = monday_of(today) - timedelta(weeks=9)
    v2 = monday_of(today) - timedelta(weeks=4) + timedelta(days=3)
    made = add_programme(
        app,
        setup.id,
        setup.people["therapist"].id,
        [
            (start, [task("walk", start), task("balance", start, per_week=2)]),
            (v2, [task("walk", start, times_per_day=2), task("balance", start, per_week=3)]),
        ],
        title="Walking <and> balance",
    )
    add_logs(
        app,
        made,
        [
            {"key": "walk", "day": start + timedelta(days=n), "pain": n % 9, "fatigue": 3}
            for n in range(0, (today - start).days, 2)
        ],
    )
    pause_start = monday_of(today) - timedelta(weeks=2) + timedelta(days=1)
    add_pause(app, made, pause_start, pause_start + timedelta(days=2))
    return made


def test_everyone_but_supporters_sees_the_chart_and_table(client_as, circle_with_roles, programme):
    url = circle_with_roles.url(f"/therapy/{programme.public_id}/progress")
    for role in ROLES_WHO_SEE:
        response = client_as(role).get(url)
        assert response.status_code == 200, role
    html = response.get_data(as_text=True)
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "Walking &lt;and&gt; balance" in html and "<and>" not in html
    assert html.count("<tr>") == 1 + 10  # the header and ten weeks (the programme is young)
    assert "Version 2 from" in html and "Paused 3 days." in html
    assert ">v2</text>" in html
    assert "Older weeks" not in html
    assert client_as("supporter").get(url).status_code == 403


def test_another_circles_or_an_unknown_programme_is_404(
    app, client_as, circle_with_roles, programme, make_user
):
    other = build_circle(app, people_for_every_role(make_user, "Other "), name="Other circle")
    switch_on_every_plugin(app, other)
    theirs = add_programme(app, other.id, None, [(date(2025, 1, 1), [task("a", date(2025, 1, 1))])])
    client = client_as("coordinator")
    assert (
        client.get(circle_with_roles.url(f"/therapy/{theirs.public_id}/progress")).status_code
        == 404
    )
    assert client.get(circle_with_roles.url("/therapy/nosuchthing/progress")).status_code == 404
    assert client.get(circle_with_roles.url("/therapy/a%00b/progress")).status_code == 404
    outsider = client_as("coordinator")  # signed in as someone of this circle: probe the other
    assert outsider.get(other.url(f"/therapy/{programme.public_id}/progress")).status_code == 404


@pytest.mark.parametrize(
    "before",
    ["2025-01-07", "garbage", "2025-02-30", "2025-W02-1", "20250106", "\x00", "9999-99-99", ""],
)
def test_a_bad_before_is_404_never_500(client_as, circle_with_roles, programme, before):
    url = circle_with_roles.url(f"/therapy/{programme.public_id}/progress")
    assert client_as("family").get(url, query_string={"before": before}).status_code == 404


def test_older_weeks_by_keyset(app, client_as, circle_with_roles):
    setup = circle_with_roles
    today = _today(app, setup)
    start = monday_of(today) - timedelta(weeks=30)
    made = add_programme(app, setup.id, None, [(start, [task("walk", start)])])
    client = client_as("caregiver")
    url = setup.url(f"/therapy/{made.public_id}/progress")
    first = client.get(url).get_data(as_text=True)
    older = re.search(r'href="[^"]*\?before=(\d{4}-\d{2}-\d{2})"', first).group(1)
    assert date.fromisoformat(older) == monday_of(today) - timedelta(weeks=11)
    second = client.get(url, query_string={"before": older}).get_data(as_text=True)
    assert second.count("<tr>") == 13 and "Newest weeks" in second
    third_key = re.search(r'\?before=(\d{4}-\d{2}-\d{2})"', second).group(1)
    third = client.get(url, query_string={"before": third_key}).get_data(as_text=True)
    assert third.count("<tr>") == 1 + 7 and "Older weeks" not in third  # 31 weeks in all
    # A Monday before the programme: an empty page, not an error.
    page = client.get(url, query_string={"before": (start - timedelta(weeks=5)).isoformat()})
    assert page.status_code == 200 and "No older weeks." in page.get_data(as_text=True)


def test_viewing_progress_is_audited(app, client_as, circle_with_roles, programme):
    client_as("family").get(circle_with_roles.url(f"/therapy/{programme.public_id}/progress"))
    # Core's audit table, read in SQL: plugin tests import nothing of core but the kit.
    with app.app_context():
        rows = db.session.execute(
            db.text("SELECT object_type, object_id, circle_id FROM audit_events WHERE action = :a"),
            {"a": "therapy.progress_viewed"},
        ).all()
    assert [tuple(r) for r in rows] == [("programme", programme.public_id, circle_with_roles.id)]


def _page_statements(app, client, url: str) -> list[str]:
    with sql_statements(app) as statements:
        assert client.get(url).status_code == 200
    noise = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
    return [s for s in statements if not noise.match(s)]


def test_progress_costs_the_same_statements_with_ten_times_the_logs(
    app, client_as, circle_with_roles
):
    setup = circle_with_roles
    today = _today(app, setup)
    start = monday_of(today) - timedelta(weeks=20)
    every = weekday_mask(range(7))
    tasks = [task(f"t{n}", start, weekdays=every, times_per_day=2) for n in range(2)]
    made = add_programme(app, setup.id, None, [(start, tasks)])
    client = client_as("coordinator")
    url = setup.url(f"/therapy/{made.public_id}/progress")
    days = [start + timedelta(days=n) for n in range((today - start).days + 1)]
    add_logs(app, made, [{"key": "t0", "day": day} for day in days[::10]])
    small = _page_statements(app, client, url)
    add_logs(app, made, [{"key": "t0", "day": day} for day in days if (day - start).days % 10])
    add_logs(app, made, [{"key": "t1", "day": day, "slot": 2, "pain": 5} for day in days])
    add_logs(app, made, [{"key": "t1", "day": day, "status": "partly"} for day in days])
    for n in range(5):
        add_pause(app, made, start + timedelta(days=7 * n), start + timedelta(days=7 * n + 1))
    large = _page_statements(app, client, url)
    assert len(small) == len(large), large
    assert len(large) <= PRELUDE + PROGRESS_BUDGET, "\n".join(large)
