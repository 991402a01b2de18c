"""Plugin lines in reminder emails, through a real SMTP server: claimed once per member, only
where the plugin is on, retried after a failed send, together with appointment reminders."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from careteam import hookimpl
from careteam.api import PluginManifest, ReminderItem
from careteam.appointments.testing import make_appointment
from careteam.auth.models import User
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.plugins.enablement import set_enabled
from careteam.plugins.models import PluginReminderClaim
from careteam.reminders.sending import send_due_reminders
from careteam.testing import deliver_mail, message_text

NOW = datetime(2030, 3, 11, 9, 30, tzinfo=UTC)


class Checks:
    """Reminds the people who run device checks that the rollator's weekly check is overdue."""

    def __init__(self):
        self.asked: list[str] = []

    @hookimpl
    def careteam_plugin_manifest(self):
        return PluginManifest(name="checks", label="Checks", enabled_by_default=True)

    @hookimpl
    def careteam_reminder_items(self, circle, membership, now):
        self.asked.append(membership.role)
        if membership.role not in ("coordinator", "caregiver"):
            return []
        return [
            ReminderItem(
                key=f"rollator-weekly:{now.date().isoformat()}",
                title="Rollator weekly check is overdue",
                detail="Brakes, wheels, seat straps",
                path=f"/circles/{circle.public_id}/devices/rollator",
            ),
            ReminderItem(key="evil", title="Bad link", path="https://evil.example/x"),
        ]


@pytest.fixture
def checks():
    return Checks()


@pytest.fixture
def careteam_plugins(checks):
    return [checks]


@pytest.fixture
def frozen(clock):
    clock.now = NOW


def _run(app, now=NOW):
    with app.app_context():
        return send_due_reminders(now)


def _to(mail, person):
    return [m for m in mail.messages if person.email in str(m["To"])]


def test_hook_reminder_items(app, mail, setup, frozen):
    """Plugin lines are emailed once, to the members they concern."""
    report = _run(app)
    assert (report.sent, report.failed) == (2, 0)
    [message] = _to(mail, setup.people["caregiver"])
    text = message_text(message)
    assert message["Subject"] == "Reminder: 2 things coming up"
    assert "Rollator weekly check is overdue" in text and "Brakes, wheels, seat straps" in text
    assert f"http://careteam.test/circles/{setup.public_id}/devices/rollator" in text
    assert "evil.example" not in message.as_string()  # only paths inside this site become links
    assert _to(mail, setup.people["family"]) == []
    assert _run(app).sent == 0  # claimed: never twice
    assert _run(app, datetime(2030, 3, 12, 9, 30, tzinfo=UTC)).sent == 2  # a new day, a new key


def test_plugin_lines_join_the_appointment_reminder_email(app, mail, setup, frozen):
    make_appointment(
        app,
        setup.id,
        setup.people["coordinator"].id,
        title="Neurologist",
        start_date=date(2030, 3, 12),
        audience="everyone",
    )
    _run(app)
    [message] = _to(mail, setup.people["coordinator"])
    text = message_text(message)
    assert "Neurologist" in text and "Also due (2):" in text
    assert message["Subject"] == "Reminder: 3 things coming up"
    [family] = _to(mail, setup.people["family"])
    assert "Also due" not in message_text(family)


def test_nothing_from_a_plugin_that_is_off_or_for_members_who_opted_out(
    app, mail, setup, frozen, checks
):
    with app.app_context():
        db.session.execute(
            update(User)
            .where(User.id == setup.people["caregiver"].id)
            .values(email_reminders=False)
        )
        db.session.commit()
    _run(app)
    assert _to(mail, setup.people["caregiver"]) == []
    assert len(_to(mail, setup.people["coordinator"])) == 1
    with app.app_context():
        set_enabled(db.session.get(Circle, setup.id), "checks", False, None)
        db.session.commit()
    checks.asked.clear()
    assert _run(app, datetime(2030, 3, 12, 9, 30, tzinfo=UTC)).sent == 0
    assert checks.asked == []  # not even asked


def test_a_failed_delivery_is_retried_from_the_outbox(app, mail, setup, frozen):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    app.config["SMTP_PORT"] = closed_port
    assert _run(app).sent == 2  # queued: the plugin's lines are done
    with app.app_context():
        statuses = db.session.scalars(select(PluginReminderClaim.status)).all()
    assert sorted(statuses) == ["sent"] * 4
    assert mail.messages == []
    app.config["SMTP_PORT"] = mail.port
    assert deliver_mail(app, datetime(2030, 3, 11, 9, 31, tzinfo=UTC)).sent == 2
    assert _run(app).sent == 0
    assert len(mail.messages) == 2
    assert all("Rollator weekly check" in message_text(m) for m in mail.messages)
