"""Reminder emails through a real SMTP server, with the clock frozen: once each, to the right
people, retried after a failed send, and never twice when two runs overlap."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select, update

from careteam.appointments.testing import appointment_url, make_appointment
from careteam.auth.models import User
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.reminders.models import ReminderClaim, ReminderPreference
from careteam.reminders.sending import send_due_reminders
from careteam.roles import Role
from careteam.testing import deliver_mail, links_in, login, message_text, outbox_rows

# The test appointments are on Tuesday 12 March 2030 at 10:00 in Berlin (09:00 UTC); the
# default reminder comes a day before.
NOW = datetime(2030, 3, 11, 9, 30, tzinfo=UTC)
EVERYONE = [r.value for r in Role]


@pytest.fixture
def frozen():
    def freeze(at: datetime) -> None:
        set_clock(lambda: at)

    freeze(NOW)
    yield freeze
    set_clock(None)


def _schedule(app, setup, **fields) -> str:
    values = {"start_date": date(2030, 3, 12), "audience": "everyone", "title": "Neurologist"}
    values.update(fields)
    return make_appointment(app, setup.id, setup.people["coordinator"].id, **values)


def _inbox(mail, setup) -> dict[str, list]:
    return {
        role: [m for m in mail.messages if person.email in str(m["To"])]
        for role, person in setup.people.items()
    }


def _run(app, now=None):
    with app.app_context():
        return send_due_reminders(now)


def _claims(app) -> list[tuple[str, int, int]]:
    with app.app_context():
        return sorted(
            db.session.execute(
                select(ReminderClaim.status, ReminderClaim.offset_minutes, ReminderClaim.attempts)
            ).all()
        )


def test_each_member_gets_one_reminder_once(app, mail, setup, frozen):
    public_id = _schedule(app, setup, location="City Hospital")
    frozen(datetime(2030, 3, 11, 8, 59, tzinfo=UTC))  # one minute too early
    assert _run(app).sent == 0
    frozen(NOW)
    report = _run(app)
    assert (report.sent, report.reminders, report.failed) == (6, 6, 0)
    for role in EVERYONE:
        message = mail.wait_for(setup.people[role].email)[0]
        assert message["Subject"] == "Reminder: Neurologist"
        text = message_text(message)
        assert "Tue 12 Mar 2030, 10:00\u201311:00" in text and "City Hospital" in text
        assert f"http://careteam.test/circles/{setup.public_id}/appointments/{public_id}" in (
            links_in(message)
        )
    assert _run(app).sent == 0
    frozen(datetime(2030, 3, 12, 8, 59, tzinfo=UTC))
    assert _run(app).sent == 0
    assert len(mail.messages) == 6
    assert _claims(app) == [("sent", 1440, 1)] * 6


def test_reminders_only_contain_what_the_member_may_see(app, mail, setup, frozen):
    _schedule(app, setup, title="Support group")
    _schedule(
        app,
        setup,
        title="Care team PT",
        audience="care_team",
    )
    make_appointment(
        app,
        setup.id,
        setup.people["family"].id,
        title="My own note to self",
        audience="only_me",
        start_date=date(2030, 3, 12),
    )
    _schedule(app, setup, title="Coordinators only", audience="coordinators")
    _run(app)
    seen = {}
    for role, messages in _inbox(mail, setup).items():
        assert len(messages) == 1, role  # one email per person per run
        text = message_text(messages[0])
        seen[role] = {
            t
            for t in ("Support group", "Care team PT", "My own note to self", "Coordinators only")
            if t in text
        }
    assert seen["supporter"] == {"Support group"}
    assert seen["family"] == {"Support group", "Care team PT", "My own note to self"}
    assert seen["coordinator"] == {"Support group", "Care team PT", "Coordinators only"}
    assert seen["care_recipient"] == {"Support group", "Care team PT", "Coordinators only"}
    assert seen["therapist"] == seen["caregiver"] == {"Support group", "Care team PT"}
    assert mail.wait_for(setup.people["family"].email)[0]["Subject"] == (
        "Reminder: 3 appointments coming up"
    )


def test_members_can_turn_reminders_off(app, mail, client, setup, frozen):
    _schedule(app, setup)
    with app.app_context():
        db.session.execute(
            update(User).where(User.id == setup.people["family"].id).values(email_reminders=False)
        )
        db.session.commit()
    login(client, setup.people["caregiver"].email)
    page = appointment_url(setup, "/reminders")
    assert client.post_form(page, {"offsets": ["1440"]}).status_code == 302  # box unticked
    login(client, setup.people["therapist"].email)
    refused = client.post_form(page, {"enabled": "y"})
    assert refused.status_code == 422
    assert 'id="offsets-errors"' in refused.get_data(as_text=True)
    assert client.post_form(page, {"enabled": "y", "offsets": ["120"]}).status_code == 302
    with app.app_context():
        prefs = dict(
            db.session.execute(select(ReminderPreference.enabled, ReminderPreference.offsets)).all()
        )
    assert prefs == {False: "1440", True: "120"}
    _run(app)
    inbox = _inbox(mail, setup)
    assert {role for role, messages in inbox.items() if messages} == {
        "coordinator",
        "supporter",
        "care_recipient",
    }
    frozen(datetime(2030, 3, 12, 7, 30, tzinfo=UTC))  # two hours before: the therapist's turn
    _run(app)
    assert len(_inbox(mail, setup)["therapist"]) == 1


def test_cancelled_appointments_and_dates_send_nothing(app, mail, setup, frozen):
    from careteam.appointments import service
    from careteam.appointments.models import Appointment
    from careteam.circles.membership import membership_of

    series = _schedule(app, setup, title="PT", rrule="FREQ=WEEKLY;BYDAY=TU")
    single = _schedule(app, setup, title="GP")
    with app.app_context():
        member = membership_of(setup.id, setup.people["coordinator"].id)
        rows = {a.public_id: a for a in db.session.scalars(select(Appointment))}
        service.cancel_occurrence(rows[series], member, datetime(2030, 3, 12, 10, 0))
        service.set_cancelled(rows[single], member, True)
        db.session.commit()
    assert _run(app).sent == 0
    frozen(datetime(2030, 3, 18, 9, 30, tzinfo=UTC))  # the next Tuesday's reminder goes out
    assert _run(app).sent == 6


def test_a_failed_delivery_is_retried_from_the_outbox(app, mail, setup, frozen):
    """A reminder is done once its email is queued; the outbox retries a failed delivery."""
    _schedule(app, setup)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config["SMTP_PORT"] = closed_port
    report = _run(app)
    assert (report.sent, report.failed) == (6, 0)
    assert mail.messages == []
    assert _claims(app) == [("sent", 1440, 1)] * 6
    assert [row[1:] for row in outbox_rows(app)] == [(1, False, "ConnectionRefusedError")] * 6
    app.config["SMTP_PORT"] = mail.port
    assert deliver_mail(app).sent == 0  # the first retry waits a minute
    frozen(datetime(2030, 3, 11, 9, 31, tzinfo=UTC))
    assert deliver_mail(app).sent == 6
    assert [row[1:] for row in outbox_rows(app)] == [(2, True, None)] * 6
    assert _run(app).sent == 0
    assert deliver_mail(app).sent == 0
    assert len(mail.messages) == 6


def test_several_due_times_make_one_email(app, mail, client, setup, frozen):
    _schedule(app, setup)
    login(client, setup.people["family"].email)
    page = appointment_url(setup, "/reminders")
    assert client.post_form(page, {"enabled": "y", "offsets": ["1440", "120"]}).status_code == 302
    frozen(datetime(2030, 3, 12, 7, 30, tzinfo=UTC))  # cron was down: both times have passed
    _run(app)
    assert len(_inbox(mail, setup)["family"]) == 1
    with app.app_context():
        mine = sorted(
            db.session.execute(
                select(ReminderClaim.offset_minutes, ReminderClaim.status).where(
                    ReminderClaim.membership_id.in_(select(ReminderPreference.membership_id))
                )
            ).all()
        )
    assert mine == [(120, "sent"), (1440, "skipped")]


@pytest.mark.slow
def test_overlapping_runs_send_each_reminder_once(app, mail, setup, frozen):
    for hour in range(8, 18):
        _schedule(
            app, setup, title=f"Visit {hour}", start_time=time(hour, 0), end_time=time(hour, 30)
        )
    frozen(datetime(2030, 3, 11, 18, 0, tzinfo=UTC))
    start = threading.Barrier(4)
    reports, errors = [], []

    def run() -> None:
        try:
            start.wait(timeout=10)
            reports.append(_run(app))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r.reminders for r in reports) == 60  # 10 appointments x 6 members
    for role, messages in _inbox(mail, setup).items():
        titles = [
            t for m in messages for t in message_text(m).splitlines() if t.startswith("Visit")
        ]
        assert sorted(titles) == sorted(f"Visit {h}" for h in range(8, 18)), role
    assert len(_claims(app)) == 60


def test_send_reminders_command(app, mail, runner, setup, frozen):
    _schedule(app, setup)
    result = runner.invoke(args=["careteam", "send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Sent 6 email(s) with 6 reminder(s)" in result.output
    result = runner.invoke(args=["careteam", "send-reminders"])
    assert "Sent 0 email(s)" in result.output
    assert len(mail.messages) == 6
