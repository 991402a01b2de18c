"""Programmes: who may do what, prescribing from the library, the list and programme pages,
copy to another circle, archive, audit rows, and bad input."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from careteam_therapy.models import Log, Pause, Programme, Task, Version
from careteam_therapy.testing import make_programme
from flask import url_for
from sqlalchemy import func, select

from careteam.api import db

ROLES = ("coordinator", "family", "caregiver", "therapist", "supporter", "care_recipient")
FOLLOWERS = {"coordinator", "family", "caregiver", "therapist", "care_recipient"}
ISSUE = {
    "therapy.view": FOLLOWERS,
    "therapy.log": FOLLOWERS,
    "therapy.prescribe": {"therapist"},
    "therapy.archive": {"coordinator", "therapist", "care_recipient"},
}
# The authoring pages: (endpoint, needs a programme id) -> capability
AUTHORING = {
    "therapy.index": "therapy.view",
    "therapy.new": "therapy.prescribe",
    "therapy.programme": "therapy.view",
    "therapy.edit": "therapy.prescribe",
    "therapy.history": "therapy.view",
    "therapy.sheet": "therapy.view",
    "therapy.copy": "therapy.prescribe",
    "therapy.archive": "therapy.archive",
    "therapy.unarchive": "therapy.archive",
    "therapy.save_template": "therapy.prescribe",
}


# The same table by role, written out: view, log, prescribe, archive.
BY_ROLE = {
    "coordinator": "VL-A",
    "family": "VL--",
    "caregiver": "VL--",
    "therapist": "VLPA",
    "supporter": "----",
    "care_recipient": "VL-A",
}


def test_the_capability_table_is_the_issues(app):
    """The four capabilities by the six roles, as issue 20 says."""
    table = app.extensions["careteam_capabilities"]
    ours = {name: {r.value for r in c.roles} for name, c in table.items() if name[:8] == "therapy."}
    assert ours == ISSUE
    order = ("therapy.view", "therapy.log", "therapy.prescribe", "therapy.archive")
    for role, marks in BY_ROLE.items():
        held = "".join("VLPA"[n] if role in ours[name] else "-" for n, name in enumerate(order))
        assert held == marks, role


def test_the_pages_declare_the_capabilities(app):
    for endpoint, capability in AUTHORING.items():
        assert app.view_functions[endpoint].careteam_capability == capability, endpoint


def _counts(app):
    with app.app_context():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Programme, Version, Task)
        ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_issue_says(app, client_as, circle_with_roles, role):
    programme_id = make_programme(app, circle_with_roles)
    client = client_as(role)
    token = client.csrf_token(circle_with_roles.url())
    before = _counts(app)
    failures = []
    for endpoint, capability in AUTHORING.items():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        values = {"programme_id": programme_id, "number": 1}
        values = {k: v for k, v in values.items() if k in rule.arguments}
        with app.test_request_context():
            url = url_for(endpoint, circle_id=circle_with_roles.public_id, **values)
        allowed = role in ISSUE[capability]
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if status != (200 if allowed else 403):
                failures.append(f"GET {url} as {role}: {status}")
        if "POST" in rule.methods and not allowed:
            status = client.post(url, data={"csrf_token": token, "title": "x"}).status_code
            if status != 403:
                failures.append(f"POST {url} as {role}: {status}")
    assert failures == []
    assert _counts(app) == before
    home = client.get(circle_with_roles.url()).get_data(as_text=True)
    nav = re.search(r'<nav class="circle-nav".*?</nav>', home, re.S).group(0)
    assert ('href="' + circle_with_roles.url("/therapy") + '"' in nav) == (role in FOLLOWERS)
    if role in FOLLOWERS:
        listing = client.get(circle_with_roles.url("/therapy")).get_data(as_text=True)
        assert (circle_with_roles.url("/therapy/new") in listing) == (role == "therapist")


def test_an_outsider_gets_404(app, new_client, make_user, circle_with_roles):
    from careteam.testing import login

    programme_id = make_programme(app, circle_with_roles)
    client = new_client()
    login(client, make_user(display_name="Stranger").email)
    for path in ("", "/new", f"/{programme_id}", f"/{programme_id}/versions/1/sheet"):
        assert client.get(circle_with_roles.url(f"/therapy{path}")).status_code == 404, path


def test_prescribing_from_the_library(app, client_as, circle_with_roles):
    client = client_as("therapist")
    new = client.get(circle_with_roles.url("/therapy/new")).get_data(as_text=True)
    # The library by kind, each entry a tick box.
    for heading in ("Exercise", "Activity", "Daily-living strategy"):
        assert f"<legend>{heading}</legend>" in new
    assert 'value="library:sit-to-stand"' in new and 'value="library:cooling"' in new
    response = client.post_form(
        circle_with_roles.url("/therapy/new"),
        {
            "title": "Walking and balance",
            "effective_from": "2026-03-02",
            "sources": ["library:sit-to-stand", "library:standing-balance", "library:cooling"],
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Walking and balance" in page and "version 1" in page
    assert "in force from 2 March 2026" in page
    # Drawing with alt text, dose, schedule in words, precautions and instructions rendered.
    img = re.search(
        r'<img src="/static/plugins/therapy/drawings/sit-to-stand.svg" alt="([^"]+)"', page
    )
    assert img and "chair" in img.group(1)
    assert "2 sets of 8" in page
    assert "Monday, Wednesday and Friday, once a day" in page
    assert "<ol>" in page and "<li>Sit near the front of a firm chair." in page
    assert "Take care" in page and "During a flare-up" in page and "Keep doing it" in page
    listing = client.get(circle_with_roles.url("/therapy")).get_data(as_text=True)
    assert "Walking and balance" in listing and "3 tasks" in listing
    assert "Therist" not in listing and "Therapist: Therapist Person" in listing
    with app.app_context():
        programme = db.session.scalar(select(Programme))
        assert programme.therapist_id == circle_with_roles.people["therapist"].id
        tasks = db.session.scalars(select(Task).order_by(Task.position)).all()
        assert [t.source for t in tasks] == [
            "library:sit-to-stand",
            "library:standing-balance",
            "library:cooling",
        ]
        assert all(str(t.start_date) == "2026-03-02" for t in tasks)


def test_new_programme_bad_input_keeps_the_text(client_as, circle_with_roles):
    client = client_as("therapist")
    url = circle_with_roles.url("/therapy/new")
    cases = [
        ({"title": "", "sources": ["library:cooling"]}, "title"),
        ({"title": "Kept \u2713", "sources": []}, "sources"),
        ({"title": "Kept \u2713", "sources": ["library:no-such"]}, "sources"),
        (
            {
                "title": "Kept \u2713",
                "sources": ["library:cooling"],
                "effective_from": "2026-02-31",
            },
            "effective_from",
        ),
        ({"title": "x" * 121, "sources": ["library:cooling"]}, "title"),
    ]
    for data, field in cases:
        response = client.post_form(url, data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        assert f'id="{field}-errors"' in html, data
        assert str(data["title"]) in html
    assert "No programme yet" in client.get(circle_with_roles.url("/therapy")).get_data(
        as_text=True
    )


def test_copy_to_another_circle_the_therapist_serves(
    app, client_as, make_circle, circle_with_roles
):
    programme_id = make_programme(app, circle_with_roles)
    therapist = circle_with_roles.people["therapist"]
    joe = make_circle(members={"therapist": therapist}, name="Joe's circle")
    elsewhere = make_circle(members={"family": therapist}, name="Not a therapist there")
    client = client_as("therapist")
    url = circle_with_roles.url(f"/therapy/{programme_id}/copy")
    page = client.get(url).get_data(as_text=True)
    assert "Joe&#39;s circle" in page and "Not a therapist there" not in page
    assert circle_with_roles.public_id not in re.findall(r'<option[^>]*value="([^"]+)"', page)
    with app.app_context():
        db.session.add(
            Pause(
                circle_id=circle_with_roles.id,
                programme_id=db.session.scalar(select(Programme.id)),
                start_date=date(2026, 1, 1),
            )
        )
        db.session.commit()
    refused = client.post_form(url, {"target": elsewhere.public_id})
    assert refused.status_code == 422
    copied = client.post_form(url, {"target": joe.public_id, "effective_from": "2026-05-04"})
    assert copied.status_code == 302
    assert copied.headers["Location"].startswith(f"/circles/{joe.public_id}/therapy/")
    page = client.get(copied.headers["Location"]).get_data(as_text=True)
    assert "Walking and balance" in page and "version 1" in page and "4 May 2026" in page
    with app.app_context():
        copies = db.session.scalars(select(Programme).order_by(Programme.id)).all()
        assert [p.circle_id for p in copies] == [circle_with_roles.id, joe.id]
        assert copies[1].therapist_id == therapist.id
        keys = [set(db.session.scalars(select(Task.key).where(Task.programme_id == p.id)))
                for p in copies]  # fmt: skip
        assert not keys[0] & keys[1]
        pauses = db.session.scalars(select(Pause.programme_id)).all()
        logs = db.session.scalar(select(func.count(Log.id)))
        assert pauses == [copies[0].id] and logs == 0  # nothing but the tasks came along


def test_archive_and_bring_back(app, client_as, circle_with_roles):
    programme_id = make_programme(app, circle_with_roles)
    url = circle_with_roles.url(f"/therapy/{programme_id}")
    client = client_as("care_recipient")
    assert client.post_form(f"{url}/archive", {}, page=url).status_code == 302
    listing = client.get(circle_with_roles.url("/therapy")).get_data(as_text=True)
    assert "Archived programmes" in listing and "No programme yet" in listing
    page = client.get(url).get_data(as_text=True)
    assert "This programme is archived" in page and "Bring the programme back" in page
    assert client.post_form(f"{url}/unarchive", {}, page=url).status_code == 302
    assert "Archived programmes" not in client.get(circle_with_roles.url("/therapy")).get_data(
        as_text=True
    )
    # The circle's audit log names each action with the plugin's label.
    audit = client.get(circle_with_roles.url("/audit")).get_data(as_text=True)
    for label in (
        "Prescribed a therapy programme",
        "Archived a therapy programme",
        "Brought back an archived therapy programme",
        "Viewed a therapy programme",
    ):
        assert label in audit, label


def test_every_action_has_a_label(app):
    import careteam_therapy
    from careteam_therapy.plugin import AUDIT_LABELS

    package = Path(careteam_therapy.__file__).parent
    source = "".join(p.read_text() for p in package.glob("*.py"))
    # Every "therapy.<name>" string that is neither a capability nor a page is an action.
    used = set(re.findall(r'"(therapy\.[a-z_]+)"', source)) - set(ISSUE) - set(app.view_functions)
    assert "therapy.version_saved" in used
    assert used <= set(AUDIT_LABELS), used - set(AUDIT_LABELS)


def test_odd_programme_ids_are_404(client_as, circle_with_roles):
    client = client_as("therapist")
    for odd in ("%00", "x" * 80, "no-such-id"):
        assert client.get(circle_with_roles.url(f"/therapy/{odd}")).status_code == 404
        assert client.get(circle_with_roles.url(f"/therapy/{odd}/edit")).status_code == 404
