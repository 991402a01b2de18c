"""Small writes during a POST (session activity, view audit rows, read markers) never wait for
the write lock their own request holds.

A POST takes SQLite's write lock with its first statement (BEGIN IMMEDIATE). A write on another
connection would then wait for that lock until the busy timeout and fail with "database is
locked": on a real site, any form submitted more than a minute after the page was opened.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from careteam import audit
from careteam.audit import AuditEvent
from careteam.auth.models import UserSession
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.testing import login


@pytest.fixture
def clock():
    class Clock:
        now = datetime.now(UTC)

    frozen = Clock()
    set_clock(lambda: frozen.now)
    yield frozen
    set_clock(None)


@pytest.fixture
def app_config(app_config):
    # Fail fast instead of after 15 s if the lock is ever waited for again.
    app_config["SQLITE_BUSY_TIMEOUT_MS"] = 500
    return app_config


def test_a_form_sent_minutes_after_the_page_opened_is_saved(app, new_client, make_user, clock):
    people = people_for_every_role(make_user)
    setup = build_circle(app, people)
    client = new_client()
    login(client, people["caregiver"].email)
    token = client.csrf_token(setup.url("/notes/new"))
    clock.now += timedelta(minutes=3)  # the caregiver took a while to type
    response = client.post(
        setup.url("/notes/new"),
        data={
            "csrf_token": token,
            "title": "",
            "body": "Slow typing, still saved.",
            "category": "update",
            "audience": "care_team",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        seen = db.session.scalars(select(UserSession.last_seen_at)).all()
    assert max(seen) >= clock.now - timedelta(seconds=1)


def test_a_view_audit_row_inside_a_write_request_joins_it(app):
    with app.test_request_context("/", method="POST"):
        db.session.execute(select(AuditEvent.id)).all()  # the request's first statement
        audit.record_now("probe.viewed", object_type="probe", object_id="1")
        db.session.commit()
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action)) == "probe.viewed"
