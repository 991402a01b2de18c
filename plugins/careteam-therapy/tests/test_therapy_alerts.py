"""Alerts: a rating at or over the task's threshold, or a pause, flags the programme for its
therapist (every therapist there if they left); What's next; a reminder line sent once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme
from sqlalchemy import select

from careteam.testing import message_text, send_reminders


def _done_form(client, setup):
    html = client.get(setup.url("/therapy/today")).get_data(as_text=True)
    block = re.search(r'/therapy/today/log" class="inline-form">(.*?)</form>', html, re.S).group(1)
    return dict(re.findall(r'name="(programme|task|day|slot|token)" value="([^"]*)"', block))


def _log(client, setup, **answer):
    fields = {**_done_form(client, setup), "status": "partly", "reason": "Tired", **answer}
    response = client.post_form(
        setup.url("/therapy/today/log"), fields, page=setup.url("/therapy/today")
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _alerts(app):
    from careteam_therapy.models import Alert

    from careteam.api import db

    with app.app_context():
        return [(a.kind, a.value) for a in db.session.scalars(select(Alert).order_by(Alert.id))]


@pytest.mark.parametrize(("threshold", "alerted"), [(6, True), (7, True), (8, False)])
def test_fatigue_7_alerts_at_threshold_6_and_7_not_8(
    app, client_as, circle_with_roles, threshold, alerted
):
    make_programme(
        app,
        circle_with_roles,
        [TaskSpec("Walk", kind="activity", minutes=10, fatigue_threshold=threshold)],
    )
    _log(client_as("caregiver"), circle_with_roles, fatigue="7", pain="6")
    assert _alerts(app) == ([("fatigue", 7)] if alerted else [])


def test_pain_at_its_threshold_alerts_and_below_does_not(app, client_as, circle_with_roles):
    make_programme(
        app,
        circle_with_roles,
        [TaskSpec("Sit to stand", sets=2, reps=8, pain_threshold=6, times_per_day=2)],
    )
    client = client_as("family")
    _log(client, circle_with_roles, pain="5")
    assert _alerts(app) == []
    _log(client, circle_with_roles, pain="6")
    assert _alerts(app) == [("pain", 6)]


def test_the_therapist_sees_the_alert_in_whats_next_and_marks_it_seen(
    app, client_as, circle_with_roles
):

    make_programme(app, circle_with_roles)
    _log(client_as("caregiver"), circle_with_roles, fatigue="8")
    therapist = client_as("therapist")
    home = therapist.get(circle_with_roles.url()).get_data(as_text=True)
    assert "Therapy alert: Walking and balance" in home and "Fatigue 8" in home
    assert "Therapy alert" not in client_as("family").get(circle_with_roles.url()).get_data(
        as_text=True
    )
    assert client_as("family").get(circle_with_roles.url("/therapy/alerts")).status_code == 403
    page = therapist.get(circle_with_roles.url("/therapy/alerts")).get_data(as_text=True)
    alert_id = re.search(r'name="alert" value="([^"]+)"', page).group(1)
    seen = circle_with_roles.url("/therapy/alerts/seen")
    alerts_page = circle_with_roles.url("/therapy/alerts")
    assert therapist.post_form(seen, {"alert": "nosuch"}, page=alerts_page).status_code == 404
    assert therapist.post_form(seen, {"alert": alert_id}, page=alerts_page).status_code == 302
    assert "Therapy alert" not in therapist.get(circle_with_roles.url()).get_data(as_text=True)
    audit = client_as("coordinator").get(circle_with_roles.url("/audit")).get_data(as_text=True)
    for label in ("Marked a therapy alert seen", "Viewed the therapy alerts", "Logged a therapy"):
        assert label in audit


def test_a_pause_alerts_the_therapist(app, client_as, circle_with_roles):
    programme = make_programme(app, circle_with_roles)
    client = client_as("care_recipient")
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    with app.app_context():
        today = today_in(db.session.get(Circle, circle_with_roles.id))
    client.post_form(
        circle_with_roles.url(f"/therapy/{programme}/pause"), {"start_date": str(today)}
    )
    assert _alerts(app) == [("pause", None)]
    page = (
        client_as("therapist").get(circle_with_roles.url("/therapy/alerts")).get_data(as_text=True)
    )
    assert "Paused for a flare-up from" in page


def _noon_today():
    # Runs must not straddle midnight in the circle's zone, or "once a day" would see two days.
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def test_the_alert_is_a_reminder_line_sent_once(app, mail, client_as, circle_with_roles):
    make_programme(app, circle_with_roles)
    _log(client_as("caregiver"), circle_with_roles, fatigue="8")
    now = _noon_today()
    send_reminders(app, now)
    people = circle_with_roles.people
    to_therapist = [m for m in mail.messages if people["therapist"].email in m["To"]]
    assert len(to_therapist) == 1
    text = message_text(to_therapist[0])
    assert "Therapy alert, Walking and balance: Fatigue 8" in text
    assert f"/circles/{circle_with_roles.public_id}/therapy/alerts" in text
    assert not any(
        "Therapy alert" in message_text(m)
        for m in mail.messages
        if people["therapist"].email not in m["To"]
    )
    before = len(mail.messages)
    assert send_reminders(app, now + timedelta(minutes=5)).sent == 0
    assert send_reminders(app, now + timedelta(days=1)).sent == 0  # still open, never again
    assert len(mail.messages) == before


def test_a_therapist_who_left_hands_alerts_to_every_therapist_there(
    app, client_as, make_user, circle_with_roles
):
    from careteam.api import Membership, db

    make_programme(app, circle_with_roles)
    second = make_user(display_name="Dr. Okafor")
    with app.app_context():
        db.session.add(
            Membership(circle_id=circle_with_roles.id, user_id=second.id, role="therapist")
        )
        db.session.commit()
    _log(client_as("caregiver"), circle_with_roles, fatigue="9")
    from careteam.testing import login

    def alerts_page(email):
        from careteam.testing import CareClient  # noqa: F401 - the client's class

        client = app.test_client()
        assert login(client, email).status_code == 302
        return client.get(circle_with_roles.url("/therapy/alerts")).get_data(as_text=True)

    # While the prescribing therapist is there, the alert is theirs alone.
    assert "Fatigue 9" not in alerts_page(second.email)
    with app.app_context():
        leaving = db.session.scalar(
            select(Membership).where(
                Membership.circle_id == circle_with_roles.id,
                Membership.user_id == circle_with_roles.people["therapist"].id,
            )
        )
        db.session.delete(leaving)
        db.session.commit()
    assert "Fatigue 9" in alerts_page(second.email)


def test_a_done_time_with_a_rating_alerts_too(app, client_as, circle_with_roles):
    make_programme(app, circle_with_roles)
    _log(client_as("care_recipient"), circle_with_roles, status="done", reason="", pain="8")
    assert _alerts(app) == [("pain", 8)]
