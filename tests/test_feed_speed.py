"""Large feeds: a fixed number of SQL statements however many appointments there are, and the
text parsed back with icalendar + recurring-ical-events gives the app's own occurrences at every
detail level.  (Timings are measured by the benchmark harness, ``python -m bench``; none are
asserted here.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import icalendar
import pytest
import recurring_ical_events

from careteam.appointments.queries import occurrences_between
from careteam.appointments.testing import appointment_url
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.testing import login, sql_statements

from .bulk_appointments import add_appointments

_URL = re.compile(r'id="feed-url" readonly value="([^"]+)"')
WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


@pytest.fixture(autouse=True)
def frozen_clock():
    set_clock(lambda: datetime(2026, 6, 15, 12, 0, tzinfo=UTC))
    yield
    set_clock(None)


def _add(app, setup, count: int, seed: int) -> None:
    with app.app_context():
        add_appointments(setup.id, setup.people["coordinator"].id, count, seed=seed)
        db.session.commit()


def _feed(client, setup, detail: str) -> str:
    login(client, setup.people["coordinator"].email)
    page = client.post_form(
        appointment_url(setup, "/subscribe"), {"detail": detail, "action": "create"}
    )
    return _URL.search(page.get_data(as_text=True)).group(1).removeprefix("http://careteam.test")


def _fetch_statements(app, client, path: str, headers=None) -> list[str]:
    with sql_statements(app) as statements:
        response = client.get(path, headers=headers or {})
    assert response.status_code in (200, 304)
    return [re.sub(r"\s+", " ", s) for s in statements]


@pytest.mark.parametrize("detail", ["full", "titles", "busy"])
def test_a_fetch_costs_the_same_statements_at_any_size(app, client, setup, detail):
    path = _feed(client, setup, detail)
    _add(app, setup, 10, seed=1)
    small = _fetch_statements(app, client, path)
    etag = client.get(path).headers["ETag"]
    small_304 = _fetch_statements(app, client, path, {"If-None-Match": etag})
    _add(app, setup, 300, seed=2)
    large = _fetch_statements(app, client, path)
    etag = client.get(path).headers["ETag"]
    large_304 = _fetch_statements(app, client, path, {"If-None-Match": etag})
    assert large == small  # same statements, same text: no IN lists that grow
    assert large_304 == small_304
    assert len(small) <= 12


def _from_feed(calendar) -> set[tuple[str, datetime, str]]:
    found = set()
    for event in recurring_ical_events.of(calendar).between(*WINDOW):
        start = event.decoded("dtstart")
        if not isinstance(start, datetime):
            start = datetime.combine(start, time())
        uid = str(event["uid"]).split("@")[0]
        found.add((uid, start.astimezone(UTC) if start.tzinfo else start, str(event["summary"])))
    return found


def _from_app(app, setup, busy: bool) -> set[tuple[str, datetime, str]]:
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(setup.id, setup.people["coordinator"].id)
        return {
            (
                o.appointment.public_id,
                o.start_local if o.appointment.all_day else o.start,
                "Busy" if busy else o.title,
            )
            for o in occurrences_between(circle, member, *WINDOW, by_start=True)
        }


@pytest.mark.parametrize("detail", ["full", "titles", "busy"])
def test_a_large_feed_parses_back_to_the_apps_occurrences(app, client, setup, detail):
    _add(app, setup, 150, seed=3)
    path = _feed(client, setup, detail)
    response = client.get(path)
    calendar = icalendar.Calendar.from_ical(response.data)
    expected = _from_app(app, setup, detail == "busy")
    assert len(expected) > 500
    assert _from_feed(calendar) == expected
    events = calendar.walk("VEVENT")
    assert any("RECURRENCE-ID" in e for e in events) and any("EXDATE" in e for e in events)
    if detail == "full":
        with_place = [e for e in events if "LOCATION" in e]
        assert {str(e["location"]) for e in with_place} >= {"City Hospital, Ward 4", "Home"}
    else:
        assert not any("LOCATION" in e or "DESCRIPTION" in e for e in events)
