"""Logging a time of a task: one tap, double submits, a stale form (409), and bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme
from sqlalchemy import func, select


def _today(app, circle):
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    with app.app_context():
        return today_in(db.session.get(Circle, circle.id))


def _forms(html):
    """The hidden fields of each slot's "Done" form on the page, in order."""
    found = []
    for block in re.findall(
        r'<form method="post" action="[^"]+/therapy/today/log" class="inline-form">(.*?)</form>',
        html,
        re.S,
    ):
        found.append(
            dict(re.findall(r'name="(programme|task|day|slot|token)" value="([^"]*)"', block))
        )
    return found


def _count(app, model):
    from careteam.api import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _log(client, circle, fields, **answer):
    data = {**fields, "status": "done", **answer}
    return client.post_form(
        circle.url("/therapy/today/log"), data, page=circle.url("/therapy/today")
    )


@pytest.fixture
def programme(app, circle_with_roles):
    return make_programme(app, circle_with_roles)


def test_one_tap_logs_done_and_the_page_shows_who(app, client_as, circle_with_roles, programme):
    from careteam_therapy.models import Log

    client = client_as("care_recipient")
    page = client.get(circle_with_roles.url("/therapy/today"))
    assert page.status_code == 200
    [fields] = _forms(page.get_data(as_text=True))
    response = _log(client, circle_with_roles, fields)
    assert response.status_code == 302
    html = client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    assert "1 of 1 logged" in html and "logged by" in html
    assert _forms(html) == []
    assert _count(app, Log) == 1


def test_a_double_tap_saves_once_and_says_already_saved(
    app, client_as, circle_with_roles, programme
):
    from careteam_therapy.models import Log

    client = client_as("family")
    [fields] = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    assert _log(client, circle_with_roles, fields).status_code == 302
    again = _log(client, circle_with_roles, fields)
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Already saved" in page
    assert _count(app, Log) == 1


def test_another_answer_from_an_old_form_is_a_409_showing_the_saved_log(
    app, client_as, circle_with_roles, programme
):
    from careteam_therapy.models import Log

    maya, ana = client_as("care_recipient"), client_as("caregiver")
    [old] = _forms(ana.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    [mine] = _forms(maya.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    assert _log(maya, circle_with_roles, mine).status_code == 302
    refused = _log(ana, circle_with_roles, old, status="skipped", reason="Too tired")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "already logged this time" in html and ": done" in html
    assert _count(app, Log) == 1
    # The same answer as the saved one, from the old form: nothing to refuse.
    assert _log(ana, circle_with_roles, old).status_code == 302


@pytest.mark.parametrize(
    ("field", "value"),
    [("pain", "11"), ("pain", "-1"), ("fatigue", "7.5"), ("effort", "seven"), ("sets", "1e3")],
)
def test_ratings_outside_0_to_10_or_not_whole_are_refused_at_the_field(
    app, client_as, circle_with_roles, programme, field, value
):
    from careteam_therapy.models import Log

    client = client_as("caregiver")
    [fields] = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    response = _log(
        client, circle_with_roles, fields, status="partly", reason="Sore", **{field: value}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a whole number from 0 to" in html
    assert f'value="{value}"' in html  # the person's text is kept
    assert "<details open>" in html
    assert _count(app, Log) == 0


def test_partly_or_skipped_needs_a_reason(app, client_as, circle_with_roles, programme):
    client = client_as("caregiver")
    [fields] = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    response = _log(client, circle_with_roles, fields, status="skipped")
    assert response.status_code == 422
    assert "Say briefly why" in response.get_data(as_text=True)


def test_a_future_day_and_more_than_a_week_back_are_refused(
    app, client_as, circle_with_roles, programme
):
    client = client_as("caregiver")
    today = _today(app, circle_with_roles)
    [fields] = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    future = _log(client, circle_with_roles, {**fields, "day": str(today + timedelta(days=1))})
    assert future.status_code == 422 and "has not come yet" in future.get_data(as_text=True)
    old = _log(client, circle_with_roles, {**fields, "day": str(today - timedelta(days=8))})
    assert old.status_code == 422 and "7 days back" in old.get_data(as_text=True)
    assert (
        client.get(
            circle_with_roles.url(f"/therapy/today?day={today + timedelta(days=1)}")
        ).status_code
        == 404
    )
    assert client.get(circle_with_roles.url("/therapy/today?day=nonsense")).status_code == 404


def test_a_day_before_the_task_starts_is_refused(app, client_as, circle_with_roles):
    today = _today(app, circle_with_roles)
    make_programme(app, circle_with_roles, start=today)
    client = client_as("caregiver")
    [fields] = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    response = _log(client, circle_with_roles, {**fields, "day": str(today - timedelta(days=1))})
    assert response.status_code == 422
    assert "was not part of the programme on that day" in response.get_data(as_text=True)


def test_a_paused_day_is_refused_unless_the_task_is_kept_in_a_flare(
    app, client_as, circle_with_roles
):
    from careteam_therapy.models import Log

    make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("Sit to stand", sets=2, reps=8),
            TaskSpec("Ankle stretch", sets=1, hold_seconds=30, keep_in_flare=True),
        ],
    )
    client = client_as("caregiver")
    slots = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    assert len(slots) == 2
    programme_id = slots[0]["programme"]
    paused = client.post_form(
        circle_with_roles.url(f"/therapy/{programme_id}/pause"),
        {"start_date": str(_today(app, circle_with_roles)), "note": "Flare-up"},
    )
    assert paused.status_code == 302
    html = client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    assert "Paused for a flare-up" in html and len(_forms(html)) == 1  # the ankle stretch
    refused = _log(client, circle_with_roles, slots[0])
    assert refused.status_code == 422 and "paused for a flare-up" in refused.get_data(as_text=True)
    assert _log(client, circle_with_roles, slots[1]).status_code == 302
    assert _count(app, Log) == 1


def test_another_programmes_or_circles_task_is_404(
    app, client_as, new_client, make_user, circle_with_roles, programme
):
    from careteam_therapy.models import Log

    from careteam.testing import login

    client = client_as("caregiver")
    [fields] = _forms(client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True))
    assert _log(client, circle_with_roles, {**fields, "task": "nosuchtask"}).status_code == 404
    other = make_programme(app, circle_with_roles, title="Another")
    assert _log(client, circle_with_roles, {**fields, "programme": other}).status_code == 404
    # A coordinator of another circle sends Maya's programme and task through their circle.
    stranger = new_client()
    assert login(stranger, make_user().email).status_code == 302
    made = stranger.post_form(
        "/circles/new", {"name": "Joe's circle", "description": "", "time_zone": "UTC"}
    )
    joe = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    url = f"/circles/{joe}/therapy/today/log"
    response = stranger.post_form(
        url, {**fields, "status": "done"}, page=f"/circles/{joe}/therapy/today"
    )
    assert response.status_code == 404
    assert _count(app, Log) == 0


def test_a_per_week_task_is_offered_every_active_day_up_to_times_a_day(
    app, client_as, circle_with_roles
):
    make_programme(
        app,
        circle_with_roles,
        [TaskSpec("Walk", kind="activity", minutes=10, per_week=3, times_per_day=2)],
    )
    client = client_as("caregiver")
    for back in range(3):
        day = _today(app, circle_with_roles) - timedelta(days=back)
        html = client.get(circle_with_roles.url(f"/therapy/today?day={day}")).get_data(as_text=True)
        assert [f["slot"] for f in _forms(html)] == ["1", "2"]


def test_supporters_and_outsiders_cannot_log(app, client_as, circle_with_roles, programme):
    assert client_as("supporter").get(circle_with_roles.url("/therapy/today")).status_code == 403
