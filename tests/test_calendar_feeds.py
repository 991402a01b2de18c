"""iCalendar feeds: parsed back with icalendar and expanded with recurring-ical-events, they give
the same occurrences as the app's own agenda; secrets are hashed, revocable, and never logged."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import urllib.request
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
from sqlalchemy import select
from werkzeug.serving import make_server

from careteam.appointments import service
from careteam.appointments.models import Appointment
from careteam.appointments.queries import occurrences_between
from careteam.appointments.testing import appointment_url, calendar_circle, make_appointment
from careteam.calendar_feeds.models import CalendarFeed
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.testing import login

WINDOW = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
_URL = re.compile(r'id="feed-url" readonly value="([^"]+)"')


@pytest.fixture(autouse=True)
def frozen_clock():
    # Feeds leave out what ended over a year ago: keep "now" next to the 2026 test dates.
    set_clock(lambda: datetime(2026, 6, 15, 12, 0, tzinfo=UTC))
    yield
    set_clock(None)


def _schedule_everything(app, setup) -> dict[str, str]:
    """A mix of what feeds must carry: series over DST, changes, cancellations, all-day."""
    coordinator = setup.people["coordinator"].id
    ids = {
        "pt": make_appointment(
            app,
            setup.id,
            coordinator,
            title="PT",
            start_date=date(2026, 3, 17),
            rrule="FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260430",
        ),
        "group": make_appointment(
            app,
            setup.id,
            coordinator,
            title="MS support group",
            audience="everyone",
            start_date=date(2026, 1, 13),
            start_time=time(18, 30),
            end_time=time(20, 0),
            rrule="FREQ=MONTHLY;BYDAY=2TU",
        ),
        "neuro": make_appointment(
            app,
            setup.id,
            coordinator,
            title="Neurologist",
            kind="neurologist",
            audience="everyone",
            start_date=date(2026, 5, 4),
            start_time=time(14, 0),
            end_time=time(14, 45),
            location="City Hospital",
            notes="Ask about fatigue",
        ),
        "scan": make_appointment(
            app,
            setup.id,
            coordinator,
            title="MRI scan",
            kind="test_scan",
            all_day=True,
            start_date=date(2026, 6, 1),
            end_date=date(2026, 6, 2),
            start_time=None,
            end_time=None,
        ),
        "gone": make_appointment(
            app, setup.id, coordinator, title="Old GP visit", start_date=date(2026, 2, 2)
        ),
        "mine": make_appointment(
            app,
            setup.id,
            setup.people["family"].id,
            title="Private",
            audience="only_me",
            start_date=date(2026, 2, 3),
        ),
        "coord": make_appointment(
            app,
            setup.id,
            coordinator,
            title="Care plan review",
            audience="coordinators",
            start_date=date(2026, 2, 4),
        ),
    }
    with app.app_context():
        member = membership_of(setup.id, coordinator)
        pt = db.session.scalar(select(Appointment).where(Appointment.public_id == ids["pt"]))
        service.cancel_occurrence(pt, member, datetime(2026, 3, 19, 10, 0))
        service.change_occurrence(
            pt,
            member,
            datetime(2026, 3, 31, 10, 0),
            title="PT at home",
            location="Home",
            notes="",
            start=datetime(2026, 3, 31, 15, 0),
            end=datetime(2026, 3, 31, 16, 0),
        )
        gone = db.session.scalar(select(Appointment).where(Appointment.public_id == ids["gone"]))
        service.set_cancelled(gone, member, True)
        db.session.commit()
    return ids


def _make_feed(client, url: str, detail: str = "full") -> str:
    response = client.post_form(url, {"detail": detail, "action": "create"})
    assert response.status_code == 200
    match = _URL.search(response.get_data(as_text=True))
    assert match, "the new feed URL is shown once"
    return match.group(1).removeprefix("http://careteam.test")


def _feed(client, path: str) -> icalendar.Calendar:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    return icalendar.Calendar.from_ical(response.data)


def _from_feed(calendar: icalendar.Calendar) -> set[tuple[str, datetime, str]]:
    events = recurring_ical_events.of(calendar).between(*WINDOW)
    found = set()
    for event in events:
        start = event.decoded("dtstart")
        if not isinstance(start, datetime):
            start = datetime.combine(start, time())
        uid = str(event["uid"]).split("@")[0]
        found.add((uid, start.astimezone(UTC) if start.tzinfo else start, str(event["summary"])))
    return found


def _from_agenda(app, setup, role: str) -> set[tuple[str, datetime, str]]:
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(setup.id, setup.people[role].id)
        found = set()
        for o in occurrences_between(circle, member, *WINDOW, by_start=True):
            start = o.start if not o.appointment.all_day else o.start_local
            found.add((o.appointment.public_id, start, o.title))
        return found


@pytest.mark.parametrize(
    "role", ["coordinator", "family", "caregiver", "therapist", "supporter", "care_recipient"]
)
def test_feed_matches_the_agenda_for_each_audience(app, client, setup, role):
    ids = _schedule_everything(app, setup)
    login(client, setup.people[role].email)
    path = _make_feed(client, appointment_url(setup, "/subscribe"))
    calendar = _feed(client, path)
    from_feed = _from_feed(calendar)
    assert from_feed == _from_agenda(app, setup, role)
    titles = {title for _, _, title in from_feed}
    assert "MS support group" in titles
    assert ("PT" in titles) == (role != "supporter")
    assert ("Private" in titles) == (role == "family")
    assert ("Care plan review" in titles) == (role in ("coordinator", "care_recipient"))
    if role != "supporter":
        starts = {start for uid, start, _ in from_feed if uid == ids["pt"]}
        # 10:00 Berlin before and after 29 March; the cancelled 19 March is gone; 31 March moved.
        assert datetime(2026, 3, 17, 9, 0, tzinfo=UTC) in starts
        assert datetime(2026, 4, 2, 8, 0, tzinfo=UTC) in starts
        assert datetime(2026, 3, 19, 9, 0, tzinfo=UTC) not in starts
        assert datetime(2026, 3, 31, 13, 0, tzinfo=UTC) in starts


def test_feed_structure(app, client, setup):
    ids = _schedule_everything(app, setup)
    login(client, setup.people["coordinator"].email)
    path = _make_feed(client, appointment_url(setup, "/subscribe"))
    text = client.get(path).get_data(as_text=True)
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar["version"] == "2.0" and "PRODID" in text
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    pt = [e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"{ids['pt']}@careteam"]
    master = next(e for e in pt if "RECURRENCE-ID" not in e)
    moved = next(e for e in pt if "RECURRENCE-ID" in e)
    assert "DTSTART;TZID=Europe/Berlin:20260317T100000" in text
    assert master["rrule"].to_ical() == b"FREQ=WEEKLY;UNTIL=20260430T215959Z;BYDAY=TU,TH"
    assert "EXDATE;TZID=Europe/Berlin:20260319T100000" in text
    assert moved.decoded("recurrence-id") == datetime(2026, 3, 31, 10, 0).replace(
        tzinfo=moved.decoded("recurrence-id").tzinfo
    )
    assert int(master["sequence"]) == int(moved["sequence"]) == 2
    assert master.decoded("dtstamp").tzinfo is not None
    gone = next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"{ids['gone']}@careteam")
    assert str(gone["status"]) == "CANCELLED"
    scan = next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"{ids['scan']}@careteam")
    assert scan.decoded("dtstart") == date(2026, 6, 1) and scan.decoded("dtend") == date(2026, 6, 3)
    neuro = next(e for e in calendar.walk("VEVENT") if str(e["uid"]) == f"{ids['neuro']}@careteam")
    assert str(neuro["location"]) == "City Hospital"
    assert "Ask about fatigue" in str(neuro["description"])
    # UIDs are stable and SEQUENCE goes up when the appointment changes.
    with app.app_context():
        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == ids["neuro"])
        )
        service.set_cancelled(
            appointment, membership_of(setup.id, setup.people["coordinator"].id), True
        )
        db.session.commit()
    again = icalendar.Calendar.from_ical(client.get(path).data)
    neuro2 = next(e for e in again.walk("VEVENT") if str(e["uid"]) == f"{ids['neuro']}@careteam")
    assert int(neuro2["sequence"]) == int(neuro["sequence"]) + 1
    assert str(neuro2["status"]) == "CANCELLED"


@pytest.mark.parametrize("detail", ["titles", "busy"])
def test_detail_levels(app, client, setup, detail):
    _schedule_everything(app, setup)
    login(client, setup.people["coordinator"].email)
    path = _make_feed(client, appointment_url(setup, "/subscribe"), detail)
    text = client.get(path).get_data(as_text=True)
    calendar = icalendar.Calendar.from_ical(text)
    events = list(calendar.walk("VEVENT"))
    assert events
    assert not any("LOCATION" in e or "DESCRIPTION" in e for e in events)
    assert "City Hospital" not in text and "Ask about fatigue" not in text
    summaries = {str(e["summary"]) for e in events}
    if detail == "busy":
        assert summaries == {"Busy"}
        assert "Neurologist" not in text
    else:
        assert "Neurologist" in summaries


def test_one_feed_for_all_circles_follows_memberships(app, client, make_user, setup):
    make_appointment(app, setup.id, setup.people["family"].id, title="Berlin PT")
    other = calendar_circle(app, make_user, time_zone="America/New_York", name="Second circle")
    # The family member of the first circle joins the second one too.
    with app.app_context():
        from careteam.auth.models import User
        from careteam.circles.membership import add_member

        circle = db.session.get(Circle, other.id)
        add_member(circle, db.session.get(User, setup.people["family"].id), "family")
        db.session.commit()
    make_appointment(app, other.id, other.people["coordinator"].id, title="New York GP")
    login(client, setup.people["family"].email)
    path = _make_feed(client, "/calendar")
    calendar = _feed(client, path)
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == {"Berlin PT", "New York GP"}
    assert {tz["tzid"] for tz in calendar.walk("VTIMEZONE")} == {
        "Europe/Berlin",
        "America/New_York",
    }
    with app.app_context():
        db.session.delete(membership_of(other.id, setup.people["family"].id))
        db.session.commit()
    calendar = _feed(client, path)
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == {"Berlin PT"}


def test_secret_is_hashed_regenerated_and_revoked(app, client, setup):
    login(client, setup.people["coordinator"].email)
    url = appointment_url(setup, "/subscribe")
    first = _make_feed(client, url)
    secret = first.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        stored = db.session.scalars(select(CalendarFeed)).one()
        assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in stored.secret_hash
    assert client.get(first).status_code == 200
    response = client.post_form(url, {"detail": "titles", "action": "regenerate"})
    second = (
        _URL.search(response.get_data(as_text=True)).group(1).removeprefix("http://careteam.test")
    )
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    # Changing the detail keeps the URL.
    assert client.post_form(url, {"detail": "busy", "action": "save"}).status_code == 302
    assert client.get(second).status_code == 200
    page = client.get(url).get_data(as_text=True)
    assert second.rsplit("/", 1)[1] not in page  # shown once, never again
    assert client.post_form(url, {"action": "revoke"}).status_code == 302
    assert client.get(second).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(CalendarFeed)).all() == []
    for odd in ("/feeds/short.ics", "/feeds/" + "A" * 43 + ".ics", "/feeds/%00.ics"):
        assert client.get(odd).status_code == 404


def test_feed_secret_never_reaches_the_logs(app, client, setup, caplog):
    """Neither the app's own logs nor werkzeug's access log (a real dev server) show it."""
    make_appointment(app, setup.id, setup.people["coordinator"].id)
    login(client, setup.people["coordinator"].email)
    with caplog.at_level(logging.DEBUG):
        path = _make_feed(client, appointment_url(setup, "/subscribe"))
        assert client.get(path).status_code == 200
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_port}{path}"
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
                assert b"BEGIN:VCALENDAR" in response.read()
        finally:
            server.shutdown()
            thread.join(timeout=5)
    secret = path.rsplit("/", 1)[1].removesuffix(".ics")
    access = [r for r in caplog.records if r.name == "werkzeug" and "/feeds/" in r.getMessage()]
    assert access, "the dev server logged the request line"
    assert "/feeds/[redacted]" in access[0].getMessage()
    assert secret not in caplog.text
    assert all(secret not in str(r.args) for r in caplog.records)


def test_one_event_download(app, client, setup):
    public_id = make_appointment(
        app, setup.id, setup.people["coordinator"].id, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3"
    )
    login(client, setup.people["therapist"].email)
    response = client.get(appointment_url(setup, f"/{public_id}/event.ics"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.data)
    starts = [
        e.decoded("dtstart")
        for e in recurring_ical_events.of(calendar).between(
            datetime(2030, 1, 1, tzinfo=UTC), datetime(2030, 12, 31, tzinfo=UTC)
        )
    ]
    assert [s.date() for s in starts] == [date(2030, 1, 1), date(2030, 1, 8), date(2030, 1, 15)]
    assert all(s.hour == 10 for s in starts)
    assert timedelta(0) < starts[1] - starts[0]


def test_a_deactivated_account_feed_stops(app, client, setup):
    from sqlalchemy import update

    from careteam.auth.models import User

    login(client, setup.people["family"].email)
    path = _make_feed(client, "/calendar")
    assert client.get(path).status_code == 200
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == setup.people["family"].id).values(active=False)
        )
        db.session.commit()
    assert client.get(path).status_code == 404


def test_a_new_york_series_across_both_dst_changes_matches_the_agenda(app, client, make_user):
    from careteam.appointments import service

    setup = calendar_circle(app, make_user, time_zone="America/New_York", name="Joe's circle")
    series = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        title="Speech therapy",
        start_date=date(2026, 3, 2),
        start_time=time(9, 30),
        end_time=time(10, 15),
        time_zone="America/New_York",
        rrule="FREQ=WEEKLY;BYDAY=MO;UNTIL=20261116",
        audience="everyone",
    )
    with app.app_context():
        member = membership_of(setup.id, setup.people["coordinator"].id)
        appointment = db.session.scalar(select(Appointment).where(Appointment.public_id == series))
        # One date moved to the afternoon, one cancelled: RECURRENCE-ID and EXDATE in the feed.
        service.change_occurrence(
            appointment,
            member,
            datetime(2026, 3, 9, 9, 30),
            title="Speech therapy (afternoon)",
            location="",
            notes="",
            start=datetime(2026, 3, 9, 14, 0),
            end=datetime(2026, 3, 9, 14, 45),
        )
        service.cancel_occurrence(appointment, member, datetime(2026, 11, 2, 9, 30))
        db.session.commit()
    login(client, setup.people["therapist"].email)
    calendar = _feed(client, _make_feed(client, appointment_url(setup, "/subscribe")))
    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    from_feed = {
        (e.decoded("dtstart").astimezone(UTC), str(e["summary"]))
        for e in recurring_ical_events.of(calendar).between(*window)
    }
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(setup.id, setup.people["therapist"].id)
        from_agenda = {
            (o.start, o.title) for o in occurrences_between(circle, member, *window, by_start=True)
        }
    assert from_feed == from_agenda
    starts = {start for start, _ in from_feed}
    # 9:30 in New York is 14:30 UTC in winter (EST) and 13:30 UTC in summer (EDT).
    assert datetime(2026, 3, 2, 14, 30, tzinfo=UTC) in starts  # before 8 March
    assert datetime(2026, 3, 16, 13, 30, tzinfo=UTC) in starts  # after the spring change
    assert datetime(2026, 11, 9, 14, 30, tzinfo=UTC) in starts  # after 1 November
    assert datetime(2026, 11, 2, 14, 30, tzinfo=UTC) not in starts  # cancelled
    assert (datetime(2026, 3, 9, 18, 0, tzinfo=UTC), "Speech therapy (afternoon)") in from_feed
