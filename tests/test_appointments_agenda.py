"""Agenda, month grid, detail pages and "What's next": audience, keyset pages, query counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from careteam.appointments import service
from careteam.appointments.models import Appointment
from careteam.appointments.testing import (
    SEES,
    agenda_titles,
    appointment_url,
    make_appointment,
)
from careteam.audit import AuditEvent
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.roles import Role
from careteam.testing import login, page_statements

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)  # a Monday
AUDIENCES = ("everyone", "care_team", "coordinators", "only_me")


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    clock.now = NOW


def test_audience_matrix_in_agenda_month_detail_and_home(app, new_client, setup):
    ids = {
        audience: make_appointment(
            app,
            setup.id,
            setup.people["family" if audience == "only_me" else "coordinator"].id,
            title=f"For {audience}",
            audience=audience,
            start_date=date(2030, 1, 8),
        )
        for audience in AUDIENCES
    }
    for role in (r.value for r in Role):
        client = new_client()
        login(client, setup.people[role].email)
        expected = {f"For {a}" for a in AUDIENCES if role in SEES[a]}
        agenda = client.get(appointment_url(setup)).get_data(as_text=True)
        assert set(agenda_titles(agenda)) == expected, role
        month = client.get(appointment_url(setup, "/month?month=2030-01")).get_data(as_text=True)
        assert {a for a in AUDIENCES if f"For {a}" in month} == {
            a for a in AUDIENCES if role in SEES[a]
        }, role
        home = client.get(f"/circles/{setup.public_id}").get_data(as_text=True)
        assert {a for a in AUDIENCES if f"For {a}" in home} == {
            a for a in AUDIENCES if role in SEES[a]
        }, role
        for audience, public_id in ids.items():
            status = client.get(appointment_url(setup, f"/{public_id}")).status_code
            assert status == (200 if role in SEES[audience] else 404), (role, audience)


def _bulk(app, setup, count: int, first: int = 0) -> None:
    """Insert ``count`` single appointments quickly (the service computes the derived times)."""
    with app.app_context():
        rows = []
        for index in range(first, first + count):
            start = datetime(2030, 1, 8, 9, 0) + timedelta(hours=7 * index)
            appointment = Appointment(
                circle_id=setup.id,
                created_by_id=setup.people["family"].id,
                title=f"Visit {index}",
                kind="gp",
                audience="care_team",
                time_zone="Europe/Berlin",
                start_local=start,
                end_local=start + timedelta(hours=1),
                rrule="",
                sequence=0,
                location="",
                video_url="",
                notes="",
            )
            service.derive_instants(appointment, [])
            rows.append(appointment)
        db.session.add_all(rows)
        db.session.commit()


def _count_queries(app, client, url: str) -> tuple[int, int]:
    statements, html = page_statements(app, client, url)
    return len(statements), len(agenda_titles(html))


def _measure(app, client, setup) -> dict[str, int]:
    first = client.get(appointment_url(setup)).get_data(as_text=True)
    cursor = re.search(r'after=([^"&]+)', first).group(1)
    return {
        "upcoming": _count_queries(app, client, appointment_url(setup))[0],
        "next page": _count_queries(app, client, appointment_url(setup, f"?after={cursor}"))[0],
        "past": _count_queries(app, client, appointment_url(setup, "?view=past"))[0],
        "month": _count_queries(app, client, appointment_url(setup, "/month?month=2030-02"))[0],
        "home": _count_queries(app, client, f"/circles/{setup.public_id}")[0],
    }


def test_agenda_query_count_does_not_grow_from_10_to_10000(app, client, setup):
    for rule in ("FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=2TU"):
        make_appointment(
            app,
            setup.id,
            setup.people["family"].id,
            title="Series",
            rrule=rule,
            start_date=date(2030, 1, 8),
        )
    _bulk(app, setup, 10)
    login(client, setup.people["coordinator"].email)
    small = _measure(app, client, setup)
    _bulk(app, setup, 9_990, first=10)
    large = _measure(app, client, setup)
    assert small == large
    assert max(large.values()) < 20
    assert _count_queries(app, client, appointment_url(setup))[1] == 20


def test_keyset_pages_cover_every_occurrence_once(app, client, setup):
    make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        title="PT",
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=12",
        start_date=date(2030, 1, 8),
    )
    _bulk(app, setup, 33)
    login(client, setup.people["coordinator"].email)
    url, seen = appointment_url(setup), []
    for _ in range(10):
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<time datetime="([^"]+)">', html)
        more = re.search(r'href="([^"]+after=[^"]+)"', html)
        if more is None:
            break
        url = more.group(1).replace("&amp;", "&")
    assert len(seen) == len(set(seen)) == 45
    assert seen == sorted(seen, key=lambda s: datetime.fromisoformat(s))
    # Past: before today (7 January 2030); nothing yet, then the PT dates after the clock moves.
    set_clock(lambda: datetime(2030, 4, 1, tzinfo=UTC))
    login(client, setup.people["coordinator"].email)  # the old session timed out meanwhile
    past = client.get(appointment_url(setup, "?view=past")).get_data(as_text=True)
    times = re.findall(r'<time datetime="([^"]+)">', past)
    assert len(times) == 20 and times == sorted(times, reverse=True)
    assert client.get(appointment_url(setup, "?after=garbage")).status_code == 400


def test_month_grid_is_an_accessible_table(app, client, setup):
    make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        title="Support group",
        rrule="FREQ=MONTHLY;BYDAY=2TU",
        start_date=date(2030, 1, 8),
        start_time=time(18, 30),
        end_time=time(20, 0),
    )
    make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        title="Scan",
        all_day=True,
        start_time=None,
        end_time=None,
        start_date=date(2030, 2, 27),
        end_date=date(2030, 3, 1),
    )
    login(client, setup.people["care_recipient"].email)
    html = client.get(appointment_url(setup, "/month?month=2030-02")).get_data(as_text=True)
    assert "<caption>Appointments in February 2030</caption>" in html
    assert html.count('<th scope="col">') == 7
    base = f"/circles/{setup.public_id}/appointments/month?month="
    assert f'href="{base}2030-01"' in html and f'href="{base}2030-03"' in html
    cell = html.split("</span>12</p>", 1)[1].split("</td>", 1)[0]
    assert "18:30" in cell and "Support group" in cell
    assert html.count("Scan") == 2  # 27 and 28 February; 1 March is next month's page
    march = client.get(appointment_url(setup, "/month?month=2030-03")).get_data(as_text=True)
    assert march.count("Scan") == 1
    for bad in ("2030-13", "1999-12", "abc", "2030-1"):
        assert client.get(appointment_url(setup, f"/month?month={bad}")).status_code == 404


def test_whats_next_on_the_circle_home(app, client, setup):
    for day in range(8, 16):
        make_appointment(
            app,
            setup.id,
            setup.people["family"].id,
            title=f"Day {day}",
            start_date=date(2030, 1, day),
        )
    cancelled = make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        title="Called off",
        start_date=date(2030, 1, 7),
        start_time=time(15, 0),
        end_time=time(16, 0),
    )
    with app.app_context():
        from careteam.circles.membership import membership_of

        appointment = db.session.scalar(
            select(Appointment).where(Appointment.public_id == cancelled)
        )
        service.set_cancelled(appointment, membership_of(setup.id, setup.people["family"].id), True)
        db.session.commit()
    login(client, setup.people["therapist"].email)
    html = client.get(f"/circles/{setup.public_id}").get_data(as_text=True)
    section = html.split('id="section-whats-next"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r"Day \d+", section) == ["Day 8", "Day 9", "Day 10", "Day 11", "Day 12"]
    assert "Called off" not in section
    nav = html.split('aria-label="Circle sections"', 1)[1].split("</nav>", 1)[0]
    assert f'href="/circles/{setup.public_id}/appointments"' in nav and ">Calendar<" in nav


def test_whats_next_is_not_crowded_out_by_what_ended_earlier_today(app, client, setup):
    """Appointments that are over (singles and a series' occurrence) take no place of the five:
    a busy morning still leaves the afternoon and the next days on the home page."""

    def add(title: str, day: date, hours: tuple[time, time], **fields) -> None:
        start, end = hours
        make_appointment(
            app,
            setup.id,
            setup.people["family"].id,
            title=title,
            start_date=day,
            start_time=start,
            end_time=end,
            **fields,
        )

    for hour in range(6, 12):  # Berlin is UTC+1: all over by NOW (13:00 there)
        add(f"Morning {hour}", date(2030, 1, 7), (time(hour, 0), time(hour, 30)))
    add("Stretches", date(2029, 12, 3), (time(8, 0), time(9, 0)), rrule="FREQ=WEEKLY")
    add("Lunch visit", date(2030, 1, 7), (time(12, 30), time(14, 0)))
    for day in range(8, 13):
        add(f"Day {day}", date(2030, 1, day), (time(10, 0), time(11, 0)))
    login(client, setup.people["therapist"].email)
    html = client.get(f"/circles/{setup.public_id}").get_data(as_text=True)
    section = html.split('id="section-whats-next"', 1)[1].split("</section>", 1)[0]
    shown = re.findall(r"Morning \d+|Stretches|Lunch visit|Day \d+", section)
    assert shown == ["Lunch visit", "Day 8", "Day 9", "Day 10", "Day 11"]


def test_detail_views_are_audited(app, client, setup):
    public_id = make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_date=date(2030, 1, 8),
    )
    login(client, setup.people["caregiver"].email)
    series = client.get(appointment_url(setup, f"/{public_id}")).get_data(as_text=True)
    assert "Every Tuesday" in series
    assert client.get(appointment_url(setup, f"/{public_id}/on/20300115T1000")).status_code == 200
    for odd in ("20300116T1000", "20300115T1100", "2030011", "20300115"):
        assert client.get(appointment_url(setup, f"/{public_id}/on/{odd}")).status_code == 404
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.details)
            .where(AuditEvent.action == "appointment.viewed")
            .order_by(AuditEvent.id)
        ).all()
    assert [(a, actor) for a, actor, _ in rows] == [
        ("appointment.viewed", setup.people["caregiver"].id)
    ] * 2
    assert rows[1][2] == {"occurrence": "20300115T1000"}


def test_list_pages_leave_appointment_notes_out_of_their_queries(app, client, setup):
    make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        title="Series",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_date=date(2030, 1, 8),
        notes="Long private notes that the agenda does not show",
    )
    _bulk(app, setup, 5)
    login(client, setup.people["coordinator"].email)
    from careteam.testing import sql_statements

    for url in (
        appointment_url(setup),
        appointment_url(setup, "?view=past"),
        appointment_url(setup, "/month?month=2030-01"),
        f"/circles/{setup.public_id}",
    ):
        with sql_statements(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        reads = [s for s in statements if "FROM appointments" in s]
        assert reads, url
        assert all("appointments.notes" not in s for s in reads), url


@pytest.mark.parametrize("past", [False, True])
def test_agenda_pages_equal_one_expansion_of_the_whole_year(app, setup, past):
    # Pages are built from a fortnight of series first, widened only while not full: walking
    # every page must give exactly the year's occurrences, in order, each once.
    from careteam.appointments.queries import (
        SERIES_WINDOW,
        agenda_page,
        occurrences_between,
        start_of_today,
    )
    from careteam.circles.models import Circle, Membership

    from .bulk_appointments import add_appointments

    with app.app_context():
        coordinator = setup.people["coordinator"]
        add_appointments(setup.id, coordinator.id, 90, start=date(2029, 6, 3))
        db.session.commit()
        circle = db.session.get(Circle, setup.id)
        membership = db.session.scalar(
            select(Membership).where(
                Membership.circle_id == setup.id, Membership.user_id == coordinator.id
            )
        )
        today = start_of_today(circle, NOW)
        low, high = today - SERIES_WINDOW, today + SERIES_WINDOW
        walked, cursor = [], None
        for _ in range(300):
            page = agenda_page(circle, membership, NOW, past=past, after=cursor)
            walked += [(o.appointment.public_id, o.start) for o in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        in_year = [w for w in walked if (low <= w[1] < today if past else today <= w[1] < high)]
        window = occurrences_between(
            circle, membership, *((low, today) if past else (today, high)), by_start=True
        )
        expected = [(o.appointment.public_id, o.start) for o in window]
        if past:
            expected.reverse()
        assert len(expected) > 60
        assert len(set(walked)) == len(walked)
        assert in_year == expected
