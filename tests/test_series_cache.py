"""The per-process cache of a circle's series: its version number, staleness, audience, bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from careteam.appointments import service
from careteam.appointments.models import Appointment, OccurrenceChange
from careteam.appointments.series_cache import CircleSeries, _Store, circle_series
from careteam.appointments.testing import (
    SEES,
    agenda_titles,
    appointment_url,
    calendar_circle,
    make_appointment,
)
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.testing import login, make_app, sql_statements

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)  # a Monday; the series start on 1 January
WEEKLY = "FREQ=WEEKLY"


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    clock.now = NOW


@pytest.fixture
def other_circle(app, make_user):
    return calendar_circle(app, make_user, name="Another circle")


def _version(app, circle_id: int) -> int:
    with app.app_context():
        return db.session.get(Circle, circle_id).calendar_version


def _series(app, setup, title: str, **fields) -> str:
    return make_appointment(
        app, setup.id, setup.people["coordinator"].id, title=title, rrule=WEEKLY, **fields
    )


def _appointment(public_id: str) -> Appointment:
    return db.session.scalar(select(Appointment).where(Appointment.public_id == public_id))


def test_every_write_to_a_circles_appointments_moves_its_version(app, setup, other_circle):
    start, elsewhere = _version(app, setup.id), _version(app, other_circle.id)
    public_id = _series(app, setup, "Gait class")
    assert _version(app, setup.id) == start + 1

    with app.app_context():  # an edit through the ORM
        _appointment(public_id).title = "Balance class"
        db.session.commit()
    assert _version(app, setup.id) == start + 2

    with app.app_context():  # a single occurrence cancelled (the change row and the series)
        appointment = _appointment(public_id)
        member = membership_of(setup.id, setup.people["coordinator"].id)
        service.cancel_occurrence(appointment, member, datetime(2030, 1, 8, 10, 0))
        db.session.commit()
    moved = _version(app, setup.id)
    assert moved > start + 2

    with app.app_context():  # the change row alone
        change = db.session.scalar(select(OccurrenceChange))
        change.title = "Balance class, in the small hall"
        db.session.commit()
    assert _version(app, setup.id) == moved + 1

    with app.app_context():  # the same value again is no change at all
        _appointment(public_id).title = "Balance class"
        db.session.commit()
    with app.app_context():  # nor is a change to the circle itself
        db.session.get(Circle, setup.id).description = "Gait and balance"
        db.session.commit()
    assert _version(app, setup.id) == moved + 1

    with app.app_context():
        db.session.delete(_appointment(public_id))
        db.session.commit()
    assert _version(app, setup.id) == moved + 2
    assert _version(app, other_circle.id) == elsewhere


def _titles(html: str) -> set[str]:
    return set(agenda_titles(html))


def test_list_pages_follow_writes_made_by_another_process(
    app, database_url, tmp_path, client, setup
):
    public_id = _series(app, setup, "Gait class")
    login(client, setup.people["coordinator"].email)
    agenda, home = appointment_url(setup), setup.url()
    month = appointment_url(setup, "/month?month=2030-01")
    assert "Gait class" in _titles(client.get(agenda).get_data(as_text=True))
    assert "Gait class" in client.get(month).get_data(as_text=True)

    # Another worker: its own app, so its own cache; only the database is shared.
    other = make_app(database_url, tmp_path / "other-worker")
    with other.app_context():
        _appointment(public_id).title = "Balance class"
        db.session.commit()
    for page in (agenda, month, home):
        html = client.get(page).get_data(as_text=True)
        assert "Balance class" in html and "Gait class" not in html, page

    shown = client.get(month).get_data(as_text=True).count("Balance class")
    with other.app_context():  # one occurrence cancelled: a new change row
        appointment = _appointment(public_id)
        member = membership_of(setup.id, setup.people["coordinator"].id)
        service.cancel_occurrence(appointment, member, datetime(2030, 1, 8, 10, 0))
        db.session.commit()
    assert client.get(month).get_data(as_text=True).count("Balance class") == shown - 1
    with other.app_context():
        second = _series(other, setup, "Hydrotherapy")
    assert "Hydrotherapy" in _titles(client.get(agenda).get_data(as_text=True))
    with other.app_context():
        db.session.delete(_appointment(second))
        db.session.commit()
    assert "Hydrotherapy" not in client.get(agenda).get_data(as_text=True)


def test_a_cancelled_occurrence_leaves_the_month_at_once(app, client, setup):
    public_id = _series(app, setup, "Gait class")
    login(client, setup.people["coordinator"].email)
    month = appointment_url(setup, "/month?month=2030-01")
    before = client.get(month).get_data(as_text=True).count("Gait class")
    with app.app_context():
        member = membership_of(setup.id, setup.people["coordinator"].id)
        service.cancel_occurrence(_appointment(public_id), member, datetime(2030, 1, 8, 10, 0))
        db.session.commit()
    assert client.get(month).get_data(as_text=True).count("Gait class") == before - 1


def test_one_cached_circle_shows_each_member_only_their_series(app, new_client, setup):
    for audience in SEES:
        author = "family" if audience == "only_me" else "coordinator"
        make_appointment(
            app,
            setup.id,
            setup.people[author].id,
            title=f"For {audience}",
            audience=audience,
            rrule=WEEKLY,
        )
    # The coordinator fills the cache; everyone after reads the same entry.
    for role in ("coordinator", *(r for r in setup.people if r != "coordinator")):
        client = new_client()
        login(client, setup.people[role].email)
        expected = {f"For {a}" for a, roles in SEES.items() if role in roles}
        assert _titles(client.get(appointment_url(setup)).get_data(as_text=True)) == expected
        month = client.get(appointment_url(setup, "/month?month=2030-01")).get_data(as_text=True)
        assert {f"For {a}" for a in SEES if f"For {a}" in month} == expected, role
        home = client.get(setup.url()).get_data(as_text=True)
        assert {f"For {a}" for a in SEES if f"For {a}" in home} == expected, role


def _statements(app, client, path: str) -> int:
    with sql_statements(app) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_a_second_visit_reads_the_series_from_the_cache(app, client, setup):
    _series(app, setup, "Gait class")
    login(client, setup.people["coordinator"].email)
    agenda = appointment_url(setup)
    first = _statements(app, client, agenda)
    assert _statements(app, client, agenda) == first - 1
    _series(app, setup, "Hydrotherapy")
    assert _statements(app, client, agenda) == first  # the version moved: read again


def test_a_write_is_seen_later_in_the_same_transaction(app, setup):
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        assert circle_series(circle).series == ()
        member = membership_of(setup.id, setup.people["coordinator"].id)
        service.create_appointment(
            circle,
            member,
            service.AppointmentInput(
                title="Gait class", start_date=date(2030, 1, 1), all_day=True, rrule=WEEKLY
            ),
        )
        db.session.flush()
        assert [a.title for a in circle_series(circle).series] == ["Gait class"]
        db.session.rollback()


def _entry(circle: int, count: int, version: int = 0) -> CircleSeries:
    return CircleSeries((f"c{circle}", version), tuple(range(count)), {})


def test_the_store_keeps_to_its_limit_of_series() -> None:
    store = _Store(limit=5)
    store.put(1, _entry(1, 3))
    store.put(2, _entry(2, 2))
    assert store.get(1, ("c1", 0)) is not None  # now the most recently used
    store.put(3, _entry(3, 2))  # 7 held: the least recently used circle (2) goes
    assert store.get(2, ("c2", 0)) is None
    assert store.held == 5
    store.put(1, _entry(1, 1, version=1))  # a new version replaces the old entry
    assert store.get(1, ("c1", 0)) is None and store.get(1, ("c1", 1)) is not None
    assert store.held == 3
    store.put(4, _entry(4, 6))  # bigger than the whole store: not kept
    assert store.get(4, ("c4", 0)) is None and store.held == 3
