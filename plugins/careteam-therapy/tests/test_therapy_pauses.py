"""Flare-up pauses: only keep-in-flare tasks stay due, overlaps refused, anyone resumes, audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from careteam_therapy.demo import TaskSpec
from careteam_therapy.testing import make_programme
from sqlalchemy import select


def _today(app, setup):
    from careteam_therapy.programmes import today_in

    from careteam.api import Circle, db

    with app.app_context():
        return today_in(db.session.get(Circle, setup.id))


@pytest.fixture
def programme(app, circle_with_roles):
    return make_programme(
        app,
        circle_with_roles,
        [
            TaskSpec("Sit to stand", sets=2, reps=8),
            TaskSpec("Ankle stretch", sets=1, hold_seconds=30, keep_in_flare=True),
        ],
    )


def _pause(client, setup, programme, **fields):
    return client.post_form(setup.url(f"/therapy/{programme}/pause"), fields)


def _audit_page(client_as, setup):
    return client_as("coordinator").get(setup.url("/audit")).get_data(as_text=True)


def test_a_pause_keeps_only_flare_tasks_due_and_anyone_resumes(
    app, client_as, circle_with_roles, programme
):
    today = _today(app, circle_with_roles)
    family = client_as("family")
    page = family.get(circle_with_roles.url(f"/therapy/{programme}/pause"))
    assert page.status_code == 200 and f'value="{today}"' in page.get_data(as_text=True)
    assert (
        _pause(
            family, circle_with_roles, programme, start_date=str(today), note="Legs heavy"
        ).status_code
        == 302
    )
    html = family.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    assert "Sit to stand" not in html and "Ankle stretch" in html
    assert "Resume the programme from today" in html
    # The care recipient (not the one who paused) resumes it.
    maya = client_as("care_recipient")
    resume = re.search(r'action="([^"]+/resume)"', html).group(1)
    assert (
        maya.post_form(resume, {}, page=circle_with_roles.url("/therapy/today")).status_code == 302
    )
    html = maya.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    assert "Sit to stand" in html and "Paused for a flare-up" not in html
    audit = _audit_page(client_as, circle_with_roles)
    assert "Paused a therapy programme for a flare-up" in audit
    assert "Resumed a paused therapy programme" in audit


def test_a_pause_with_an_end_is_over_after_it(app, client_as, circle_with_roles, programme):
    today = _today(app, circle_with_roles)
    client = client_as("caregiver")
    start, end = today - timedelta(days=3), today - timedelta(days=2)
    assert (
        _pause(
            client, circle_with_roles, programme, start_date=str(start), end_date=str(end)
        ).status_code
        == 302
    )
    paused_day = client.get(circle_with_roles.url(f"/therapy/today?day={start}")).get_data(
        as_text=True
    )
    assert "Paused for a flare-up" in paused_day and "Sit to stand" not in paused_day
    after = client.get(
        circle_with_roles.url(f"/therapy/today?day={end + timedelta(days=1)}")
    ).get_data(as_text=True)
    assert "Sit to stand" in after


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ((0, None), (2, 4)),  # open pause, a later one
        ((0, 3), (3, None)),  # touching on the last day
        ((2, 5), (0, 2)),
        ((1, 1), (0, 9)),  # around it
    ],
)
def test_overlapping_pauses_are_refused_at_the_field(
    app, client_as, circle_with_roles, programme, first, second
):
    from careteam_therapy.models import Pause

    from careteam.api import db

    today = _today(app, circle_with_roles)
    client = client_as("caregiver")

    def fields(offsets):
        start, end = offsets
        data = {"start_date": str(today + timedelta(days=start)), "note": "Flare"}
        if end is not None:
            data["end_date"] = str(today + timedelta(days=end))
        return data

    assert _pause(client, circle_with_roles, programme, **fields(first)).status_code == 302
    refused = _pause(client, circle_with_roles, programme, **fields(second))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "This overlaps the pause from" in html and 'id="start_date-errors"' in html
    assert "Flare" in html  # the note is kept
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Pause)) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start_date": ""}, "Give the first day of the pause."),
        ({"start_date": "2026-02-30"}, "Enter a real date"),
        ({"start_date": "+1", "end_date": "+0"}, "cannot be before the first"),
        ({"start_date": "-8"}, "up to 7 days back"),
        ({"start_date": "+29"}, "up to 28 days ahead"),
    ],
)
def test_bad_pause_dates_get_a_message_at_the_field(
    app, client_as, circle_with_roles, programme, fields, message
):
    today = _today(app, circle_with_roles)

    def value(text):
        if text.startswith(("+", "-")):
            return str(today + timedelta(days=int(text)))
        return text

    client = client_as("caregiver")
    response = _pause(
        client, circle_with_roles, programme, **{k: value(v) for k, v in fields.items()}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True), re.findall(
        r"field-errors.*?</ul>", response.get_data(as_text=True), re.S
    )


def test_resuming_twice_changes_nothing_and_other_circles_pauses_are_404(
    app, client_as, circle_with_roles, programme
):
    today = _today(app, circle_with_roles)
    client = client_as("caregiver")
    _pause(client, circle_with_roles, programme, start_date=str(today))
    html = client.get(circle_with_roles.url("/therapy/today")).get_data(as_text=True)
    resume = re.search(r'action="([^"]+/resume)"', html).group(1)
    page = circle_with_roles.url("/therapy/today")
    assert client.post_form(resume, {}, page=page).status_code == 302
    again = client.post_form(resume, {}, page=page)
    assert "resumed already" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert (
        client.post_form(
            circle_with_roles.url("/therapy/pauses/nosuch/resume"), {}, page=page
        ).status_code
        == 404
    )
    assert client.get(circle_with_roles.url("/therapy/nosuch/pause")).status_code == 404
    assert (
        client_as("supporter").get(circle_with_roles.url(f"/therapy/{programme}/pause")).status_code
        == 403
    )
