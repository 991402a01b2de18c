"""Overdue device checks in core's reminder emails, through a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from careteam_devices.testing import make_device

from careteam.testing import message_text, send_reminders


def _run(app, now):
    return send_reminders(app, now)


def _backdate_a_finished_check(app, circle, device_id, days):
    from careteam_devices import checks, inventory

    from careteam.api import Circle, db, membership_of

    with app.app_context():
        circle_row = db.session.get(Circle, circle.id)
        member = membership_of(circle_row, circle.people["caregiver"].id)
        device = inventory.get_device(circle_row, device_id)
        check = checks.start_check(device, member, checks.new_start_token())
        db.session.flush()
        items = checks.check_items(check)
        answers = {i.item_public_id: checks.Answer("ok") for i in items}
        checks.save_check(check, device, member, answers, version=1, finish=True)
        past = _noon_today() - timedelta(days=days)
        for item in checks.check_items(check):
            item.answered_at = past
        db.session.commit()


def _noon_today() -> datetime:
    # Runs must not straddle midnight in the circle's zone (Europe/London), or "once a day"
    # would see two days.
    return datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)


def test_overdue_checks_are_emailed_once_a_day_to_those_who_check(app, mail, circle_with_roles):
    device_id = make_device(app, circle_with_roles, kind="rollator", name="Hall rollator")
    _backdate_a_finished_check(app, circle_with_roles, device_id, days=10)
    now = _noon_today()
    report = _run(app, now)
    people = circle_with_roles.people
    recipients = {m["To"] for m in mail.messages}
    assert people["supporter"].email not in recipients
    assert {people[r].email for r in ("coordinator", "caregiver", "care_recipient")} <= recipients
    message = next(m for m in mail.messages if people["caregiver"].email in m["To"])
    text = message_text(message)
    assert "Hall rollator:" in text and "overdue" in text
    assert f"/circles/{circle_with_roles.public_id}/devices/{device_id}" in text
    sent = report.sent
    assert _run(app, now + timedelta(minutes=5)).sent == 0  # the same day: not again
    assert _run(app, now + timedelta(days=1)).sent == sent  # next day, still overdue: again


def test_nothing_when_nothing_is_overdue(app, mail, circle_with_roles):
    device_id = make_device(app, circle_with_roles, kind="cane", name="Cane")
    _backdate_a_finished_check(app, circle_with_roles, device_id, days=0)
    # "Before each use" items come due tomorrow, monthly ones next month: none overdue today.
    assert _run(app, _noon_today()).sent == 0
