"""Who may do what with devices, as the issue says it, checked on every devices page.

Core's permission matrix walks these routes against the capability table; this test pins the
table itself to the issue (so a changed role list fails here) and checks each role's answers,
the navigation item, and that refused changes change nothing.
"""

from __future__ import annotations

import re

import pytest
from careteam_devices import checks, inventory
from careteam_devices.models import Check, Device, Problem, Template
from careteam_devices.testing import make_device
from flask import url_for
from sqlalchemy import func, select

from careteam.api import Circle, db, membership_of

ROLES = ("coordinator", "family", "caregiver", "therapist", "supporter", "care_recipient")
ISSUE = {
    "devices.check": {"coordinator", "family", "caregiver", "therapist", "care_recipient"},
    "devices.manage": {"coordinator", "therapist", "care_recipient"},
}


def test_the_capabilities_are_the_issues(app):
    table = app.extensions["careteam_capabilities"]
    ours = {name: {r.value for r in c.roles} for name, c in table.items() if name[:8] == "devices."}
    assert ours == ISSUE


def _devices_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("devices.")]
    assert len(rules) >= 14
    return sorted(rules, key=lambda r: r.rule)


@pytest.fixture
def objects(app, circle_with_roles):
    """One of everything in the circle: a device with a running check and an open problem."""
    device_id = make_device(app, circle_with_roles)
    with app.app_context():
        circle = db.session.get(Circle, circle_with_roles.id)
        therapist = membership_of(circle, circle_with_roles.people["therapist"].id)
        device = inventory.get_device(circle, device_id)
        check = checks.start_check(device, therapist, checks.new_start_token())
        db.session.flush()
        first = checks.check_items(check)[0]
        [problem] = checks.save_check(
            check, device, therapist, {first.item_public_id: checks.Answer("attention", "x")},
            version=1, finish=False,
        )  # fmt: skip
        template = inventory.create_template(circle, therapist, "Ours", "cane", "shipped:cane")
        db.session.commit()
        return {
            "device_id": device_id,
            "check_id": check.public_id,
            "problem_id": problem.public_id,
            "template_id": template.public_id,
        }


def _counts(app):
    with app.app_context():
        return [
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Device, Template, Check, Problem)
        ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_issue_says(app, client_as, circle_with_roles, objects, role):
    client = client_as(role)
    token = client.csrf_token(circle_with_roles.url())
    before = _counts(app)
    failures = []
    for rule in _devices_rules(app):
        capability = app.view_functions[rule.endpoint].careteam_capability
        allowed = role in ISSUE[capability]
        values = {name: objects[name] for name in rule.arguments if name != "circle_id"}
        with app.test_request_context():
            url = url_for(rule.endpoint, circle_id=circle_with_roles.public_id, **values)
        if "GET" in rule.methods:
            status = client.get(url).status_code
            if status != (200 if allowed else 403):
                failures.append(f"GET {rule.rule} as {role}: {status}")
        if "POST" in rule.methods and not allowed:
            status = client.post(url, data={"csrf_token": token, "name": "x"}).status_code
            if status != 403:
                failures.append(f"POST {rule.rule} as {role}: {status}")
    assert failures == []
    assert _counts(app) == before  # refused changes changed nothing
    home = client.get(circle_with_roles.url()).get_data(as_text=True)
    nav = re.search(r'<nav class="circle-nav".*?</nav>', home, re.S).group(0)
    assert ('href="' + circle_with_roles.url("/devices") + '"' in nav) == (
        role in ISSUE["devices.check"]
    )
    assert ("Device checks" in home) == (role in ISSUE["devices.check"])
    manage_link = circle_with_roles.url("/devices/new")
    listing = client.get(circle_with_roles.url("/devices")).get_data(as_text=True)
    assert (manage_link in listing) == (role in ISSUE["devices.manage"])


def test_ids_from_another_circle_are_404_and_change_nothing(
    app, new_client, make_user, circle_with_roles, objects
):
    """A coordinator of another circle tries Maya's ids through their own circle's URLs."""
    from careteam.testing import login

    other = make_user(display_name="Joe's coordinator")
    client = new_client()
    assert login(client, other.email).status_code == 302
    made = client.post_form(
        "/circles/new", {"name": "Joe's circle", "description": "", "time_zone": "UTC"}
    )
    assert made.status_code == 302
    joe = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    token = client.csrf_token(f"/circles/{joe}")
    before = _counts(app)
    failures = []
    for rule in _devices_rules(app):
        values = {name: objects[name] for name in rule.arguments if name != "circle_id"}
        if not values:
            continue
        with app.test_request_context():
            urls = [
                url_for(rule.endpoint, circle_id=joe, **values),
                url_for(rule.endpoint, circle_id=circle_with_roles.public_id, **values),
            ]
        for url in urls:
            for method in sorted(rule.methods & {"GET", "POST"}):
                data = {"csrf_token": token, "name": "Taken", "resolution": "x", "token": "t" * 43}
                response = client.get(url) if method == "GET" else client.post(url, data=data)
                if response.status_code != 404:
                    failures.append(f"{method} {url}: {response.status_code}")
    assert failures == []
    assert _counts(app) == before
