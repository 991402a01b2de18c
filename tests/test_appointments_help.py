"""Help sign-up: per date, up to the number needed, visible to all who see the appointment;
and the demo calendar."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from careteam.appointments import helping
from careteam.appointments.models import Appointment, HelpSignup, HelpSlot
from careteam.appointments.occurrences import occurrence_at
from careteam.appointments.testing import appointment_url, make_appointment
from careteam.audit import AuditEvent
from careteam.auth.models import User
from careteam.circles.membership import add_member, membership_of
from careteam.circles.models import Circle
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.testing import login

NOW = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    clock.now = NOW


def _slot(app, public_id: str, kind: str = "ride_there") -> str:
    with app.app_context():
        return db.session.scalar(
            select(HelpSlot.public_id)
            .join(Appointment, Appointment.id == HelpSlot.appointment_id)
            .where(Appointment.public_id == public_id, HelpSlot.kind == kind)
        )


def _signups(app) -> list[tuple[int, datetime]]:
    with app.app_context():
        return sorted(
            db.session.execute(select(HelpSignup.user_id, HelpSignup.occurrence_start_local)).all()
        )


def test_volunteer_per_date_full_slots_and_withdrawing(app, new_client, setup):
    public_id = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        title="Neurologist",
        audience="everyone",
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=3",
        start_date=date(2030, 1, 8),
        help={"ride_there": 1, "company": 2},
    )
    slot = _slot(app, public_id)
    first = appointment_url(setup, f"/{public_id}/on/20300108T1000")
    url = f"{first}/help/{slot}"
    friend = new_client()
    login(friend, setup.people["supporter"].email)
    page = friend.get(first).get_data(as_text=True)
    assert "0 of 1 signed up" in page and "I can help: a ride there" in page
    assert friend.post_form(url, {}, page=first).status_code == 302
    assert friend.post_form(url, {}, page=first).status_code == 302  # twice: still one
    family = new_client()
    login(family, setup.people["family"].email)
    page = family.get(first).get_data(as_text=True)
    assert "Full:" in page and "Supporter Person" in page
    assert "I can help: a ride there" not in page
    response = family.post_form(url, {}, page=first)
    assert "already covered" in family.get(response.headers["Location"]).get_data(as_text=True)
    # The next Tuesday is its own date with its own places.
    second = appointment_url(setup, f"/{public_id}/on/20300115T1000")
    assert family.post_form(f"{second}/help/{slot}", {}, page=second).status_code == 302
    supporter_id, family_id = setup.people["supporter"].id, setup.people["family"].id
    assert _signups(app) == sorted(
        [(supporter_id, datetime(2030, 1, 8, 10)), (family_id, datetime(2030, 1, 15, 10))]
    )
    # Therapists do not volunteer (help.volunteer); they still see who does.
    therapist = new_client()
    login(therapist, setup.people["therapist"].email)
    assert "Supporter Person" in therapist.get(first).get_data(as_text=True)
    assert therapist.post_form(url, {}, page=first).status_code == 403
    assert friend.post_form(f"{url}/withdraw", {}, page=first).status_code == 302
    assert _signups(app) == [(family_id, datetime(2030, 1, 15, 10))]
    with app.app_context():
        actions = list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("appointment.help%"))
                .order_by(AuditEvent.id)
            )
        )
    assert actions == [
        "appointment.help_offered",
        "appointment.help_offered",
        "appointment.help_withdrawn",
    ]


def test_no_help_for_dates_that_are_over_cancelled_or_unseen(app, new_client, setup):
    past = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        audience="everyone",
        start_date=date(2030, 1, 1),
        help={"ride_there": 1},
    )
    hidden = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        audience="care_team",
        start_date=date(2030, 1, 9),
        help={"ride_there": 1},
    )
    client = new_client()
    login(client, setup.people["supporter"].email)
    page = appointment_url(setup, f"/{past}")
    response = client.post_form(f"{page}/on/20300101T1000/help/{_slot(app, past)}", {}, page=page)
    assert "over" in client.get(response.headers["Location"]).get_data(as_text=True)
    login(client, setup.people["supporter"].email)
    token = client.csrf_token(appointment_url(setup))
    hidden_url = appointment_url(setup, f"/{hidden}/on/20300109T1000/help/{_slot(app, hidden)}")
    assert client.post(hidden_url, data={"csrf_token": token}).status_code == 404
    assert _signups(app) == []


@pytest.mark.slow
def test_the_last_place_goes_to_one_person_only(app, make_user, setup):
    """Eight people take the two places at the same moment: exactly two get them."""
    public_id = make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        audience="everyone",
        start_date=date(2030, 1, 9),
        help={"ride_there": 2},
    )
    helpers = [make_user(display_name=f"Helper {i}") for i in range(8)]
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        for person in helpers:
            add_member(circle, db.session.get(User, person.id), "family")
        db.session.commit()
    start = threading.Barrier(len(helpers))
    outcomes: list[str] = []

    def take(user_id: int) -> None:
        with app.app_context():
            appointment = db.session.scalar(
                select(Appointment).where(Appointment.public_id == public_id)
            )
            slot = db.session.scalar(
                select(HelpSlot).where(HelpSlot.appointment_id == appointment.id)
            )
            member = membership_of(setup.id, user_id)
            occurrence = occurrence_at(appointment, appointment.start_local, None)
            db.session.rollback()  # start the write transaction after the barrier
            start.wait(timeout=10)
            try:
                helping.volunteer(occurrence, slot, member)
                db.session.commit()
                outcomes.append("yes")
            except helping.HelpError:
                db.session.rollback()
                outcomes.append("full")

    threads = [threading.Thread(target=take, args=(p.id,)) for p in helpers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["full"] * 6 + ["yes"] * 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpSignup)) == 2


def test_demo_calendar(app, runner):
    set_clock(None)  # the demo schedules relative to today
    for _ in range(2):
        result = runner.invoke(args=["careteam", "demo"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        circle = db.session.scalar(select(Circle).where(Circle.name == "Maya's circle"))
        rows = {
            a.title: a
            for a in db.session.scalars(
                select(Appointment).where(Appointment.circle_id == circle.id)
            )
        }
        assert set(rows) == {
            "Physical therapy with Dr. Lee",
            "MS support group",
            "Neurologist: MS review with Dr. Okafor",
        }
        assert rows["Physical therapy with Dr. Lee"].rrule.startswith(
            "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL="
        )
        assert rows["MS support group"].rrule == "FREQ=MONTHLY;BYDAY=2TU"
        helper = db.session.scalar(
            select(User.email).join(HelpSignup, HelpSignup.user_id == User.id)
        )
        assert helper == "priya@example.org"
        assert db.session.scalar(select(func.count()).select_from(HelpSignup)) == 1
