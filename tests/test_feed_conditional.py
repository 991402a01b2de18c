"""Conditional feed fetches: a calendar app that sends the ETag back gets a bodiless 304 until
something its feed shows changes -- and after every such change it gets the new feed."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from careteam import hookimpl
from careteam.api import CalendarItem, PluginManifest
from careteam.appointments import service
from careteam.appointments.models import Appointment
from careteam.appointments.occurrences import occurrence_at
from careteam.appointments.testing import appointment_url, calendar_circle, make_appointment
from careteam.auth.models import User
from careteam.calendar_feeds import content as feed_content
from careteam.circles.membership import add_member, change_role, membership_of, remove_member
from careteam.circles.models import Circle
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.testing import login

_URL = re.compile(r'id="feed-url" readonly value="([^"]+)"')
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


class Reminders:
    """A plugin whose one calendar item the test changes."""

    def __init__(self):
        self.item = CalendarItem(
            key="check-1",
            title="Rollator check",
            start=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
            end=datetime(2026, 7, 1, 9, 15, tzinfo=UTC),
        )

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="reminders_test", label="Checks", enabled_by_default=True)

    @hookimpl
    def careteam_calendar_items(self, circle, membership, start, end):
        return [self.item]


@pytest.fixture
def plugin():
    return Reminders()


@pytest.fixture
def careteam_plugins(plugin):
    return [plugin]


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    # A frozen clock also proves the validator does not lean on change times.
    clock.now = NOW


def _feed(client, url: str, detail: str = "full") -> str:
    page = client.post_form(url, {"detail": detail, "action": "create"})
    return _URL.search(page.get_data(as_text=True)).group(1).removeprefix("http://careteam.test")


@pytest.fixture
def feed(app, client, setup):
    """The family member's feed of the circle, with one series and one single appointment."""
    coordinator = setup.people["coordinator"].id
    ids = {
        "series": make_appointment(
            app,
            setup.id,
            coordinator,
            title="PT",
            start_date=date(2026, 6, 2),
            rrule="FREQ=WEEKLY;BYDAY=TU",
            organiser_id=coordinator,
            help={"ride_there": 1},
        ),
        "single": make_appointment(
            app, setup.id, coordinator, title="GP", start_date=date(2026, 6, 20)
        ),
    }
    login(client, setup.people["family"].email)
    return _feed(client, appointment_url(setup, "/subscribe")), ids


def _appointment(public_id: str) -> Appointment:
    return db.session.scalar(select(Appointment).where(Appointment.public_id == public_id))


def _coordinator(setup):
    return membership_of(setup.id, setup.people["coordinator"].id)


def _assert_changes(app, client, path, change) -> None:
    """The feed answers 304 to its ETag, then ``change`` makes it send a new feed."""
    first = client.get(path)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    assert unchanged.headers["ETag"] == etag
    with app.app_context():
        change()
        db.session.commit()
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag
    assert again.data != first.data
    assert client.get(path, headers={"If-None-Match": again.headers["ETag"]}).status_code == 304


def test_304_has_no_body_and_the_same_headers(client, feed):
    path, _ = feed
    first = client.get(path)
    assert first.status_code == 200 and b"BEGIN:VCALENDAR" in first.data
    for header in (first.headers["ETag"], "*", f'"x", {first.headers["ETag"]}'):
        response = client.get(path, headers={"If-None-Match": header})
        assert response.status_code == 304 and response.data == b""
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get(path, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_if_modified_since_alone_gets_the_whole_feed(client, feed):
    # No Last-Modified is sent: deletions and audience changes leave no date to compare.
    path, _ = feed
    response = client.get(path)
    assert "Last-Modified" not in response.headers
    later = client.get(path, headers={"If-Modified-Since": "Wed, 01 Jan 2099 00:00:00 GMT"})
    assert later.status_code == 200 and later.data == response.data


def test_creating_an_appointment(app, client, setup, feed):
    path, _ = feed
    _assert_changes(
        app,
        client,
        path,
        lambda: service.create_appointment(
            db.session.get(Circle, setup.id),
            _coordinator(setup),
            service.AppointmentInput(
                title="New", start_date=date(2026, 7, 1), start_time=time(9), time_zone="UTC"
            ),
        ),
    )


def test_editing_an_appointment(app, client, setup, feed):
    path, ids = feed

    def edit():
        appointment = _appointment(ids["single"])
        data = service.AppointmentInput(
            title="GP (moved room)",
            start_date=date(2026, 6, 20),
            start_time=time(10),
            end_time=time(11),
            time_zone="Europe/Berlin",
            kind="physical_therapy",
        )
        service.update_appointment(appointment, _coordinator(setup), data)

    _assert_changes(app, client, path, edit)


@pytest.mark.parametrize("cancelled", [True, False])
def test_cancelling_and_restoring(app, client, setup, feed, cancelled):
    path, ids = feed
    if not cancelled:
        with app.app_context():
            service.set_cancelled(_appointment(ids["single"]), _coordinator(setup), True)
            db.session.commit()
    _assert_changes(
        app,
        client,
        path,
        lambda: service.set_cancelled(_appointment(ids["single"]), _coordinator(setup), cancelled),
    )


def test_deleting_an_appointment(app, client, feed):
    path, ids = feed
    _assert_changes(app, client, path, lambda: db.session.delete(_appointment(ids["single"])))


def test_moving_cancelling_and_resetting_an_occurrence(app, client, setup, feed):
    path, ids = feed
    original = datetime(2026, 6, 9, 10, 0)

    def move():
        service.change_occurrence(
            _appointment(ids["series"]),
            _coordinator(setup),
            original,
            title="PT at home",
            location="Home",
            notes="",
            start=datetime(2026, 6, 9, 15, 0),
            end=datetime(2026, 6, 9, 16, 0),
        )

    _assert_changes(app, client, path, move)
    _assert_changes(
        app,
        client,
        path,
        lambda: service.cancel_occurrence(
            _appointment(ids["series"]), _coordinator(setup), original
        ),
    )
    _assert_changes(
        app,
        client,
        path,
        lambda: service.reset_occurrence(
            _appointment(ids["series"]), _coordinator(setup), original
        ),
    )


def test_help_sign_ups_are_not_in_feeds_and_keep_the_validator(app, client, setup, feed):
    from careteam.appointments import helping
    from careteam.appointments.models import HelpSlot

    path, ids = feed
    first = client.get(path)
    with app.app_context():
        appointment = _appointment(ids["series"])
        slot = db.session.scalar(select(HelpSlot).where(HelpSlot.appointment_id == appointment.id))
        occurrence = occurrence_at(appointment, datetime(2026, 6, 16, 10, 0), None)
        helping.volunteer(occurrence, slot, membership_of(setup.id, setup.people["family"].id))
        db.session.commit()
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(path).data == first.data


def test_a_role_change_changes_the_audience(app, client, setup, feed):
    path, _ = feed
    # Only coordinators see this one: the family member's feed gets it once promoted.
    make_appointment(
        app, setup.id, setup.people["coordinator"].id, title="Plan", audience="coordinators"
    )

    def promote():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(setup.id, setup.people["family"].id)
        change_role(circle, _coordinator(setup), member, "coordinator")

    _assert_changes(app, client, path, promote)
    assert b"SUMMARY:Plan" in client.get(path).data


def test_joining_and_leaving_circles(app, client, make_user, setup, feed):
    login(client, setup.people["family"].email)
    path = _feed(client, "/calendar")
    other = calendar_circle(app, make_user, name="Second circle")
    make_appointment(app, other.id, other.people["coordinator"].id, title="Elsewhere")

    def join():
        circle = db.session.get(Circle, other.id)
        add_member(circle, db.session.get(User, setup.people["family"].id), "family")

    def leave():
        circle = db.session.get(Circle, other.id)
        member = membership_of(other.id, setup.people["family"].id)
        remove_member(circle, member, member)

    _assert_changes(app, client, path, join)
    _assert_changes(app, client, path, leave)


def test_the_detail_level_and_a_new_secret(app, client, setup, feed):
    from careteam.calendar_feeds.service import feed_of, set_detail

    path, _ = feed
    user = setup.people["family"].id
    _assert_changes(app, client, path, lambda: set_detail(feed_of(user, setup.id), "busy"))
    etag = client.get(path).headers["ETag"]
    newer = _feed(client, appointment_url(setup, "/subscribe"), "busy")
    assert client.get(path).status_code == 404
    response = client.get(newer, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_display_names_shown(app, client, setup, feed):
    path, _ = feed

    def rename_organiser():
        db.session.get(User, setup.people["coordinator"].id).display_name = "Dr. Renamed"

    def rename_circle():
        db.session.get(Circle, setup.id).name = "Renamed circle"

    _assert_changes(app, client, path, rename_organiser)
    assert b"Organised by Dr. Renamed" in client.get(path).data
    _assert_changes(app, client, path, rename_circle)
    assert b"Renamed circle" in client.get(path).data


def test_plugin_items(app, client, feed, plugin):
    path, _ = feed

    def change():
        plugin.item = replace(plugin.item, title="Rollator check (moved)", sequence=1)

    _assert_changes(app, client, path, change)


def test_the_history_window_moving_on(app, client, feed):
    path, _ = feed
    first = client.get(path)
    # The single appointment (20 June 2026) leaves the feed a year after it ended.
    set_clock(lambda: NOW + timedelta(days=375))
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert b"SUMMARY:GP" in first.data and b"SUMMARY:GP" not in again.data


def test_an_edit_that_leaves_updated_at_alone_still_shows(app, client, feed):
    """The cache of written events is keyed by every column it reads, not the change time."""
    path, ids = feed

    def quiet_edit():
        db.session.execute(
            update(Appointment)
            .where(Appointment.public_id == ids["single"])
            .values(location="Hydrotherapy pool")
        )

    _assert_changes(app, client, path, quiet_edit)
    assert b"Hydrotherapy pool" in client.get(path).data


def test_the_event_cache_keeps_to_its_size(app, client, feed, monkeypatch):
    path, _ids = feed
    whole = client.get(path).data
    cache = feed_content.EventCache(limit=1)
    monkeypatch.setitem(app.extensions, "careteam_feed_events", cache)
    assert client.get(path).data == whole  # two events, written again with room for one
    assert len(cache.texts) == 1
    assert client.get(path).data == whole
