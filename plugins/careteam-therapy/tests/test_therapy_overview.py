"""The therapist's overview (/therapy) and the home panel: who gets it, what it lists and in
which order, the audit rows, and the same statements for one circle or thirty."""

from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

from careteam_therapy.overview import home_panel
from careteam_therapy.schedule import monday_of

from careteam.api import Circle, circle_zone, db, utcnow
from careteam.testing import (
    build_circle,
    people_for_every_role,
    signed_in,
    sql_statements,
    switch_on_every_plugin,
)

from .progress_factories import add_alert, add_logs, add_programme, task

# Beyond the session read and the audit insert: the circles, the programmes with what they
# need, this week's logs.
OVERVIEW_BUDGET = 3
_NOISE = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


def _circle(app, people, name, *, plugin_on=True):
    setup = build_circle(app, people, name=name)
    if plugin_on:
        switch_on_every_plugin(app, setup)
    return setup


def _switch_off(client, setup):
    response = client.post_form(
        setup.url("/settings/plugins"), {"plugin": "therapy", "enabled": "off"}
    )
    assert response.status_code in (302, 303), response.status_code


def _today(app, setup):
    with app.app_context():
        return utcnow().astimezone(circle_zone(db.session.get(Circle, setup.id))).date()


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get("/therapy")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_someone_who_prescribes_nowhere_gets_404(app, new_client, circle_with_roles, make_user):
    for role in ("coordinator", "family", "caregiver", "supporter", "care_recipient"):
        client = signed_in(new_client, circle_with_roles.people[role])
        assert client.get("/therapy").status_code == 404, role
    loner = make_user()
    assert signed_in(new_client, loner).get("/therapy").status_code == 404
    with app.test_request_context():
        assert home_panel(_signed_in(loner.id)) is None
        assert home_panel(SimpleNamespace(is_authenticated=False)) is None


def _signed_in(user_id):
    """What the home panel reads of the signed-in person."""
    return SimpleNamespace(id=user_id, is_authenticated=True)


def test_a_therapist_in_two_circles_with_the_plugin_off_in_one(app, make_circle, new_client):
    maya = make_circle(members={"therapist": "dr-lee", "family": "ana"}, name="Maya's circle")
    joe = make_circle(
        members={"therapist": "dr-lee"}, name="Joe's circle", time_zone="America/New_York"
    )
    therapist = maya.people["therapist"]
    assert joe.people["therapist"] == therapist  # the same account in both
    start = monday_of(_today(app, maya)) - timedelta(weeks=3)
    walking = add_programme(
        app, maya.id, therapist.id, [(start, [task("walk", start)])], title="Walking & balance"
    )
    add_programme(app, joe.id, therapist.id, [(start, [task("grip", start)])], title="Hands")
    add_alert(app, walking, "fatigue", 8)
    add_alert(app, walking, "pain", 9, seen=True)  # seen: no longer open

    client = signed_in(new_client, therapist)
    page = client.get("/therapy").get_data(as_text=True)
    assert "Walking &amp; balance" in page and "Hands" in page
    assert "Fatigue 8" in page and "Pain 9" not in page
    assert page.index("Walking &amp; balance") < page.index("Hands")  # the open alert first
    assert f"/therapy/{walking.public_id}/progress" in page

    _switch_off(signed_in(new_client, joe.people["coordinator"]), joe)
    page = client.get("/therapy").get_data(as_text=True)
    assert "Walking &amp; balance" in page and "Hands" not in page and "Joe" not in page
    with app.app_context():
        rows = db.session.execute(
            db.text("SELECT circle_id FROM audit_events WHERE action = :a ORDER BY id"),
            {"a": "therapy.overview_viewed"},
        ).all()
    # One row per circle shown: both at first, then Maya's alone.
    assert sorted(r[0] for r in rows) == sorted([maya.id, joe.id, maya.id])

    home = client.get("/home").get_data(as_text=True)
    assert "Your therapy circles: <strong>1 needs attention</strong>" in home
    family_home = signed_in(new_client, maya.people["family"]).get("/home")
    assert family_home.status_code == 200
    assert "Your therapy circles" not in family_home.get_data(as_text=True)  # prescribes nowhere

    _switch_off(signed_in(new_client, maya.people["coordinator"]), maya)
    assert "Your therapy circles" not in client.get("/home").get_data(as_text=True)
    assert client.get("/therapy").status_code == 404  # prescribes nowhere the plugin is on


def test_neediest_first_alerts_then_adherence_then_oldest_last_log(app, make_user, new_client):
    therapist = people_for_every_role(make_user, "T ")["therapist"]
    people = {**people_for_every_role(make_user, "C "), "therapist": therapist}
    setup = _circle(app, people, "Circle")
    today = _today(app, setup)
    start = monday_of(today) - timedelta(weeks=2)
    monday = monday_of(today)

    def programme(title):
        return add_programme(
            app, setup.id, therapist.id, [(start, [task("a", start)])], title=title
        )

    alerted, done, idle_old, idle_new, _never = (
        programme(t) for t in ("Alerted", "All done", "Idle long", "Idle lately", "Never logged")
    )
    add_alert(app, alerted, "pause")
    days_so_far = [monday + timedelta(days=n) for n in range((today - monday).days + 1)]
    add_logs(app, alerted, [{"key": "a", "day": d} for d in days_so_far])
    add_logs(app, done, [{"key": "a", "day": d} for d in days_so_far])
    add_logs(app, idle_old, [{"key": "a", "day": start}])
    add_logs(app, idle_new, [{"key": "a", "day": monday - timedelta(days=1)}])
    page = signed_in(new_client, therapist).get("/therapy").get_data(as_text=True)
    order = [
        page.index(t) for t in ("Alerted", "Never logged", "Idle long", "Idle lately", "All done")
    ]
    assert order == sorted(order), order
    assert "Paused for a flare-up" in page and "100 %" in page and "Nothing logged yet" in page

    with app.test_request_context():
        assert home_panel(_signed_in(therapist.id)) == {"attention": 1, "programmes": 5}


def test_the_overview_costs_the_same_statements_for_one_circle_or_thirty(
    app, make_user, new_client
):
    def statements_for(circles: int) -> list[str]:
        therapist = people_for_every_role(make_user, f"T{circles} ")["therapist"]
        for index in range(circles):
            lead = people_for_every_role(make_user, f"L{index} ")["coordinator"]
            setup = build_circle(
                app, {"coordinator": lead, "therapist": therapist}, name=f"Circle {index}"
            )
            switch_on_every_plugin(app, setup)
            start = date(2025, 1, 6)
            made = add_programme(
                app,
                setup.id,
                therapist.id,
                [(start, [task("a", start), task("b", start, per_week=3)])],
            )
            add_logs(
                app, made, [{"key": "a", "day": utcnow().date() - timedelta(days=1), "pain": 3}]
            )
            add_alert(app, made, "pain", 8)
        client = signed_in(new_client, therapist)
        client.get("/therapy")  # the first request signs the session in
        with sql_statements(app) as statements:
            response = client.get("/therapy")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("Pain 8") == circles
        return [s for s in statements if not _NOISE.match(s)]

    one, thirty = statements_for(1), statements_for(30)
    assert len(one) == len(thirty), "\n".join(thirty)
    # The session, the page's reads, and the audit rows in one insert.
    assert len(thirty) <= 1 + OVERVIEW_BUDGET + 1, "\n".join(thirty)
