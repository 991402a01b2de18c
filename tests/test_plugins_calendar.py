"""Plugin items in calendar feeds: one VEVENT each, stable UIDs, detail levels, only where on."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from careteam import hookimpl
from careteam.api import CalendarItem, PluginManifest
from careteam.appointments.testing import appointment_url
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.plugins.enablement import set_enabled
from careteam.testing import login

_URL = re.compile(r'id="feed-url" readonly value="([^"]+)"')


class Checks:
    """Puts the rollator's next weekly check into the calendar of members who run checks."""

    def __init__(self):
        self.windows: list[tuple[datetime, datetime]] = []

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="checks", label="Checks", enabled_by_default=True)

    @hookimpl
    def careteam_calendar_items(self, circle, membership, start, end):
        self.windows.append((start, end))
        if membership.role == "supporter":
            return []
        due = datetime(2030, 3, 14, 9, 0, tzinfo=UTC)
        return [
            CalendarItem(
                key="rollator/weekly 2030-03-14",
                title="Rollator weekly check",
                start=due,
                end=due + timedelta(minutes=15),
                description="Brakes, wheels, seat straps",
                path=f"/circles/{circle.public_id}/devices",
                sequence=2,
            )
        ]


@pytest.fixture
def checks():
    return Checks()


@pytest.fixture
def careteam_plugins(checks):
    return [checks]


def _feed(client, setup, detail="full") -> icalendar.Calendar:
    page = client.post_form(
        appointment_url(setup, "/subscribe"), {"detail": detail, "action": "create"}
    )
    path = _URL.search(page.get_data(as_text=True)).group(1).removeprefix("http://careteam.test")
    response = client.get(path)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.data)


def _ours(calendar):
    return [e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("checks-")]


def test_hook_calendar_items(app, client, setup, checks):
    """Plugin items appear in the feed with full details."""
    login(client, setup.people["caregiver"].email)
    [event] = _ours(_feed(client, setup))
    assert str(event["uid"]) == "checks-rollator-weekly-2030-03-14@careteam"
    assert str(event["summary"]) == "Rollator weekly check"
    assert event.decoded("dtstart") == datetime(2030, 3, 14, 9, 0, tzinfo=UTC)
    assert int(event["sequence"]) == 2
    assert "Brakes, wheels" in str(event["description"])
    assert str(event["url"]) == f"http://careteam.test/circles/{setup.public_id}/devices"
    start, end = checks.windows[-1]
    assert end - start > timedelta(days=700)


@pytest.mark.parametrize("detail", ["titles", "busy"])
def test_detail_levels_apply_to_plugin_items(client, setup, detail):
    login(client, setup.people["caregiver"].email)
    [event] = _ours(_feed(client, setup, detail))
    assert "DESCRIPTION" not in event and "URL" not in event
    assert str(event["summary"]) == ("Busy" if detail == "busy" else "Rollator weekly check")


def test_no_plugin_items_where_the_plugin_is_off_or_for_others(app, client, setup, checks):
    login(client, setup.people["supporter"].email)
    assert _ours(_feed(client, setup)) == []
    with app.app_context():
        set_enabled(db.session.get(Circle, setup.id), "checks", False, None)
        db.session.commit()
    checks.windows.clear()
    login(client, setup.people["caregiver"].email)
    assert _ours(_feed(client, setup)) == []
    assert checks.windows == []
