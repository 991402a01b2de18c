"""What the calendar keeps between requests belongs to one app: two apps in one process (the
tests make many, the benchmark two) share neither the caches nor the calendar-version hook."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from careteam.appointments.models import Appointment
from careteam.appointments.testing import calendar_circle, make_appointment
from careteam.calendar_feeds.service import issue_secret
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.testing import make_app

FEED_EVENTS, SERIES = "careteam_feed_events", "careteam_series_cache"


def _version(app: Flask, circle_id: int) -> int:
    with app.app_context():
        return db.session.get(Circle, circle_id).calendar_version


def _retitle(session: Session, public_id: str, title: str) -> None:
    appointment = session.scalar(select(Appointment).where(Appointment.public_id == public_id))
    appointment.title = title
    session.commit()


def test_two_apps_keep_their_own_feed_and_series_caches(
    app, client, make_user, database_url, tmp_path
):
    other = make_app(database_url, tmp_path / "other-app")
    setup = calendar_circle(app, make_user)
    coordinator = setup.people["coordinator"]
    make_appointment(app, setup.id, coordinator.id, title="PT", rrule="FREQ=WEEKLY")
    make_appointment(app, setup.id, coordinator.id, title="GP")
    with app.app_context():
        _feed, secret = issue_secret(coordinator.id, setup.id, "full")
        db.session.commit()

    assert client.get(f"/feeds/{secret}.ics").status_code == 200
    written = len(app.extensions[FEED_EVENTS].texts)
    assert written == 2
    assert other.extensions[FEED_EVENTS].texts == {}  # the other app wrote nothing yet

    other_client = other.test_client()
    assert other_client.get(f"/feeds/{secret}.ics").data == client.get(f"/feeds/{secret}.ics").data
    assert len(other.extensions[FEED_EVENTS].texts) == written  # written again, by its own
    assert app.extensions[FEED_EVENTS] is not other.extensions[FEED_EVENTS]
    assert app.extensions[SERIES] is not other.extensions[SERIES]


def test_only_the_apps_own_sessions_move_calendar_versions(app, make_user, database_url):
    setup = calendar_circle(app, make_user)
    public_id = make_appointment(app, setup.id, setup.people["coordinator"].id, title="PT")
    start = _version(app, setup.id)

    # A plain SQLAlchemy session on the same database: not the app's session factory.
    with app.app_context(), Session(db.engine) as plain:
        _retitle(plain, public_id, "Written elsewhere")
    assert _version(app, setup.id) == start

    # Another app on the same database that never set the calendar up: its sessions come from
    # the same Flask-SQLAlchemy factory, but the hook is not its own.
    bare = Flask("bare")
    bare.config["SQLALCHEMY_DATABASE_URI"] = database_url
    db.init_app(bare)
    with bare.app_context():
        try:
            _retitle(db.session, public_id, "Written by another app")
        finally:
            db.session.remove()
            db.engine.dispose()
    assert _version(app, setup.id) == start

    with app.app_context():  # the app's own write moves it
        _retitle(db.session, public_id, "Hydrotherapy")
    assert _version(app, setup.id) == start + 1
