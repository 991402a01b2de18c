"""Every circle route and every kind of visitor, checked against the capability table.

The routes come from the app (``circle_rules``), so routes that later features add are checked
too; each must declare its capability.  Each case runs on a fresh circle, so a destructive POST
(leave, remove, archive) never changes the next case.
"""

from __future__ import annotations

from typing import Any

import pytest

import careteam.appointments.testing  # noqa: F401 - registers the calendar's URL-argument factories
from careteam.auth.models import User
from careteam.circles.models import Circle
from careteam.circles.testing import (
    CircleSetup,
    build_circle,
    circle_url,
    people_for_every_role,
    register_url_argument,
)
from careteam.extensions import db
from careteam.invitations import testing as invitation_factories  # noqa: F401 - invitation_id
from careteam.permissions import (
    circle_rules,
    declared_allow_archived,
    declared_capability,
    role_has,
)
from careteam.registries import capability_table
from careteam.roles import Role
from careteam.testing import login
from careteam.testing.plugins import switch_on_every_plugin

METHODS = ("GET", "POST")
OUR_ENDPOINTS = {
    "circles.home",
    "circles.settings",
    "circles.archive",
    "circles.restore",
    "circles.members",
    "circles.member_role",
    "circles.member_remove",
    "circles.leave",
    "circles.audit",
}


# --- URL arguments of other features' routes -------------------------------------------------


def _note_author(setup: CircleSetup, role: str | None) -> str:
    # The acting member's own note where they may write, so object-level rules (only authors
    # edit, only authors restore) let the capability decide; otherwise the coordinator's.
    if role is not None and role_has(role, "notes.write"):
        return role
    return Role.COORDINATOR.value


def _make_note(app: Any, setup: CircleSetup, role: str | None, *, deleted: bool = False) -> str:
    from careteam.circles.membership import membership_of
    from careteam.notes import service as notes
    from careteam.notes.trash import delete_note

    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        author = membership_of(setup.id, setup.people[_note_author(setup, role)].id)
        note = notes.create_note(
            circle,
            author,
            title="Evening handoff",
            body="Walked with the cane; AFO strap checked.",
            category="shift_handoff",
            tags=[],
            audience="everyone",
        )
        if deleted:
            db.session.flush()
            delete_note(note, author)
        db.session.commit()
        return note.public_id


register_url_argument("note_id", _make_note)
register_url_argument(
    "note_id",
    lambda app, setup, role: _make_note(app, setup, role, deleted=True),
    endpoint="notes.restore",
)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def careteam_plugins(plugin_with_settings):
    # The plugin settings route is visited with a plugin of the tests' own, whatever is installed.
    return [plugin_with_settings]


@pytest.fixture
def cast(app, make_user):
    """The people: one per role, an outsider, and the coordinator of another circle."""
    people = people_for_every_role(make_user)
    outsider = make_user(display_name="Outsider")
    other = make_user(display_name="Other Coordinator")
    elsewhere = build_circle(app, {"coordinator": _person(other)}, name="Another circle")
    return {"people": people, "outsider": outsider, "other": other, "elsewhere": elsewhere}


def _person(user: Any) -> Any:
    from careteam.circles.testing import Person

    return Person(user.id, user.email, user.public_id)


def _cases(app) -> list[tuple[Any, str]]:
    cases = []
    for rule in sorted(circle_rules(app), key=lambda r: r.rule):
        for method in METHODS:
            if method in rule.methods:
                cases.append((rule, method))
    return cases


def _request(client, method: str, url: str, token: str):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


# --- the tests -------------------------------------------------------------------------------


def test_every_circle_route_declares_a_known_capability(app):
    endpoints = set()
    with app.app_context():
        table = capability_table()
        for rule in circle_rules(app):
            capability = declared_capability(app.view_functions[rule.endpoint])
            assert capability is not None, f"{rule.rule} ({rule.endpoint}) declares no capability"
            assert capability in table, f"{rule.endpoint} declares unknown {capability!r}"
            endpoints.add(rule.endpoint)
    # The walk below must really cover this feature's pages.
    assert endpoints >= OUR_ENDPOINTS


ACTORS = ["anonymous", "outsider", "other-circle", *[r.value for r in Role]]


@pytest.mark.parametrize("actor", ACTORS)
def test_route_matrix(app, new_client, cast, actor):
    """Every route answers each visitor as the capability table says, never with a 500."""
    client = new_client()
    role = actor if actor in {r.value for r in Role} else None
    if actor == "outsider":
        login(client, cast["outsider"].email)
    elif actor == "other-circle":
        login(client, cast["other"].email)
    elif role is not None:
        login(client, cast["people"][role].email)
    token = client.csrf_token("/login" if actor == "anonymous" else "/home")

    failures = []
    cases = _cases(app)
    for rule, method in cases:
        setup = build_circle(app, cast["people"], name=f"Matrix {rule.endpoint} {method}")
        switch_on_every_plugin(app, setup)
        url = circle_url(app, rule, setup, role)
        response = _request(client, method, url, token)
        status = response.status_code
        view = app.view_functions[rule.endpoint]
        with app.app_context():
            allowed = role is not None and role_has(role, declared_capability(view))
        if actor == "anonymous":
            ok = status == 302 and "/login" in response.headers.get("Location", "")
            expected = "302 to /login"
        elif role is None:
            ok, expected = status == 404, "404"
        elif allowed and method == "GET":
            # A page someone may open must open, not redirect or fail.
            ok, expected = status == 200, "200"
        elif allowed:
            # A POST with only a token may be refused for its missing fields (400/409/422),
            # but never for the capability.
            ok, expected = status < 500 and status not in (403, 404), "allowed (not 403/404/5xx)"
        else:
            ok, expected = status == 403, "403"
        if not ok:
            failures.append(
                f"{method} {rule.rule} [{rule.endpoint}] as {actor}: got {status}, "
                f"expected {expected}"
            )
    assert len(cases) >= 2 * len(OUR_ENDPOINTS) - 4
    assert failures == []


@pytest.mark.parametrize("role", [Role.COORDINATOR.value, Role.CARE_RECIPIENT.value])
def test_archived_circle_refuses_every_change(app, new_client, cast, role):
    """In an archived circle every POST is refused (403) except those that allow it (restore)."""
    from careteam.db.clock import utcnow

    client = new_client()
    login(client, cast["people"][role].email)
    token = client.csrf_token("/home")
    failures = []
    for rule, method in _cases(app):
        view = app.view_functions[rule.endpoint]
        with app.app_context():
            holds = role_has(role, declared_capability(view))
        if not holds:
            continue
        setup = build_circle(app, cast["people"], name="Archived", archived_at=utcnow())
        switch_on_every_plugin(app, setup)
        url = circle_url(app, rule, setup, role)
        status = _request(client, method, url, token).status_code
        if method == "GET" or declared_allow_archived(view):
            ok = status < 500 and status not in (403, 404)
        else:
            ok = status == 403
        if not ok:
            failures.append(f"{method} {rule.rule} as {role}: got {status}")
        with app.app_context():
            circle = db.session.get(Circle, setup.id)
            refused = method == "POST" and not declared_allow_archived(view)
            if refused:
                assert circle.archived, f"{rule.endpoint} changed an archived circle"
    assert failures == []


def test_unknown_url_argument_fails_with_a_clear_message(app):
    from werkzeug.routing import Rule

    from careteam.circles.testing import UnknownUrlArgument

    rule = Rule("/circles/<circle_id>/gadgets/<gadget_id>", endpoint="gadgets.detail")
    rule.arguments = {"circle_id", "gadget_id"}
    setup = CircleSetup(id=1, public_id="abc")
    with pytest.raises(UnknownUrlArgument, match="gadget_id"):
        circle_url(app, rule, setup, None)


def test_role_change_takes_effect_on_the_very_next_request(app, new_client, cast):
    """A demoted coordinator's next request to a manage page is refused."""
    from careteam.circles.membership import add_member

    people = cast["people"]
    setup = build_circle(app, people)
    second = cast["outsider"]
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        add_member(circle, db.session.get(User, second.id), Role.COORDINATOR)
        db.session.commit()
    demoted = new_client()
    login(demoted, people["coordinator"].email)
    assert demoted.get(setup.url("/settings")).status_code == 200

    other = new_client()
    login(other, second.email)
    response = other.post_form(
        setup.url(f"/members/{setup.members['coordinator']}/role"), {"role": "family"}
    )
    assert response.status_code == 302
    assert demoted.get(setup.url("/settings")).status_code == 403
    assert demoted.get(setup.url("/audit")).status_code == 403
    assert demoted.get(setup.url()).status_code == 200
    with app.app_context():
        from careteam.circles.membership import membership_of

        assert membership_of(setup.id, people["coordinator"].id).role == "family"


def test_a_circle_route_without_a_declaration_is_caught(app):
    """The declaration check above must fail for a route registered without a capability."""
    from flask import Blueprint

    rogue = Blueprint("rogue", __name__, url_prefix="/circles/<circle_id>/rogue")

    @rogue.get("")
    def page(circle_id):
        return "nothing checks who I am"

    app.register_blueprint(rogue)
    undeclared = [
        rule.endpoint
        for rule in circle_rules(app)
        if declared_capability(app.view_functions[rule.endpoint]) is None
    ]
    assert undeclared == ["rogue.page"]


def test_every_route_with_a_circle_in_it_is_walked(app):
    """No route takes a circle under another argument name and so escapes the walk."""
    walked = {rule.endpoint for rule in circle_rules(app)}
    for rule in app.url_map.iter_rules():
        if "circle" in rule.arguments or "circle_public_id" in rule.arguments:
            assert rule.endpoint in walked, rule.rule
        if rule.rule.startswith("/circles/<"):
            assert rule.endpoint in walked, rule.rule
