"""The journal note a check can post: written through careteam.api.create_note, addressed to
the care team (supporters never see it), category "symptoms" for a failed skin check and
"update" otherwise, and what people typed shown as typed rather than read as Markdown."""

from __future__ import annotations

import html as html_module
import re

import pytest
from careteam_devices.models import Check
from careteam_devices.testing import make_device
from sqlalchemy import select

from careteam.api import Circle, db, get_note, membership_of


def html_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment (tags dropped, entities decoded)."""
    return html_module.unescape(re.sub(r"<[^>]+>", "", fragment))


CARE_TEAM = ("coordinator", "family", "caregiver", "therapist", "care_recipient")


def _run_check(client, circle, device_id, *, attention, comment="", post_note=True):
    """Start and finish a check answering the items in ``attention`` (indexes) as problems."""
    device_url = circle.url(f"/devices/{device_id}")
    page = client.get(device_url).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    check_url = client.post_form(f"{device_url}/checks", {"token": token}, page=device_url).headers[
        "Location"
    ]
    html = client.get(check_url).get_data(as_text=True)
    keys = list(dict.fromkeys(re.findall(r'name="result_([A-Za-z0-9_-]+)"', html)))
    data = {"version": "1", "action": "finish"}
    for n, key in enumerate(keys):
        data[f"result_{key}"] = "attention" if n in attention else "ok"
        if n in attention:
            data[f"comment_{key}"] = comment
    if post_note:
        data["post_note"] = "y"
    response = client.post_form(check_url, data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return check_url


def _note_id(app):
    with app.app_context():
        return db.session.scalar(select(Check.journal_note_id).order_by(Check.id.desc()).limit(1))


def _visible_to(app, circle, role, note_id):
    with app.app_context():
        row = db.session.get(Circle, circle.id)
        member = membership_of(row, circle.people[role].id)
        return get_note(row, member, note_id)


def test_the_note_goes_to_the_care_team_as_an_update(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles, kind="rollator", name="Hall rollator")
    _run_check(client_as("caregiver"), circle_with_roles, device, attention={0}, comment="Slips")
    note_id = _note_id(app)
    assert note_id
    note = _visible_to(app, circle_with_roles, "caregiver", note_id)
    assert (note.category, note.audience) == ("update", "care_team")
    assert note.title == "Hall rollator: needs attention" and "Slips" in note.body
    for role in CARE_TEAM:
        assert _visible_to(app, circle_with_roles, role, note_id) is not None, role
    assert _visible_to(app, circle_with_roles, "supporter", note_id) is None
    note_url = circle_with_roles.url(f"/notes/{note_id}")
    assert client_as("family").get(note_url).status_code == 200
    assert client_as("supporter").get(note_url).status_code in (403, 404)


def test_a_failed_skin_check_is_noted_as_a_symptom(app, client_as, circle_with_roles):
    device = make_device(app, circle_with_roles, kind="afo", name="Left AFO")
    # The AFO's first item is the skin check.
    _run_check(
        client_as("family"), circle_with_roles, device, attention={0}, comment="Red mark 40 min"
    )
    note = _visible_to(app, circle_with_roles, "family", _note_id(app))
    assert note.category == "symptoms" and "Red mark 40 min" in note.body


@pytest.mark.parametrize(
    ("attention", "post_note"), [({0}, False), (set(), True)], ids=["unticked", "all-ok"]
)
def test_no_note_unless_asked_and_something_needs_attention(
    app, client_as, circle_with_roles, attention, post_note
):
    device = make_device(app, circle_with_roles)
    _run_check(
        client_as("therapist"),
        circle_with_roles,
        device,
        attention=attention,
        comment="x",
        post_note=post_note,
    )
    assert _note_id(app) == ""


def test_what_people_typed_reads_as_typed_in_the_note(app, client_as, circle_with_roles):
    name = "*Maya's* [AFO](javascript:alert(1)) #1"
    comment = "<b>red</b> _under_ the strap \\ `x` ![i](http://evil.example/p.png)"
    device = make_device(app, circle_with_roles, kind="cane", name=name)
    client = client_as("coordinator")
    _run_check(client, circle_with_roles, device, attention={0}, comment=comment)
    html = client.get(circle_with_roles.url(f"/notes/{_note_id(app)}")).get_data(as_text=True)
    body = html.split('<div class="note-body">', 1)[1].split("</div>", 1)[0]
    assert "<em>" not in body and "<img" not in body and "<code>" not in body
    assert "href=" not in body
    text = html_text(body)
    assert f"Safety check of {name}: 1 item(s) need attention." in text
    assert f": {comment}" in text
