"""careteam.api.memberships_of and record_views: reads and audit rows across a person's circles."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from careteam import hookimpl
from careteam.api import (
    Capability,
    PluginManifest,
    Role,
    is_enabled,
    member_can,
    memberships_of,
    record_views,
)
from careteam.audit import AuditEvent
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.circles.service import archive_circle
from careteam.circles.testing import Person, build_circle
from careteam.extensions import db
from careteam.plugins.enablement import set_enabled
from careteam.testing import sql_statements

_TRANSACTION_CONTROL = re.compile(r"\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)


class Caseload:
    """Defines a therapist-only capability; vetoes it in circles named "Vetoed"."""

    @hookimpl
    def careteam_plugin_manifest(self) -> PluginManifest:
        return PluginManifest(name="caseload", label="Caseload", enabled_by_default=True)

    @hookimpl
    def careteam_capabilities(self) -> list[Capability]:
        return [Capability("caseload.assign", "Assign exercises", frozenset({Role.THERAPIST}))]

    @hookimpl
    def careteam_permission(self, capability: str, membership: Any, circle: Any) -> bool | None:
        if circle.name == "Vetoed" and capability in {"caseload.assign", "notes.write"}:
            return False
        return None


@pytest.fixture
def careteam_plugins() -> list[Any]:
    return [Caseload()]


def _person(make_user: Any, name: str) -> Person:
    user = make_user(display_name=name)
    return Person(user.id, user.email, user.public_id)


def _statements(found: list[str]) -> list[str]:
    return [s for s in found if not _TRANSACTION_CONTROL.match(s)]


def _circles_for(app: Flask, make_user: Any, therapist: Person, names: list[str]) -> list[Any]:
    return [
        build_circle(
            app,
            {"coordinator": _person(make_user, f"Coordinator {i}"), "therapist": therapist},
            name=name,
        )
        for i, name in enumerate(names)
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_one_statement_reads_every_circle_and_fills_the_switches(
    app: Flask, make_user: Any, count: int
) -> None:
    therapist = _person(make_user, "Thea Therapist")
    _circles_for(app, make_user, therapist, [f"Circle {i:02d}" for i in range(count)])
    with app.test_request_context(), sql_statements(app) as statements:
        pairs = memberships_of(therapist.id, plugin="caseload", capability="caseload.assign")
        assert len(_statements(statements)) == 1, statements
        before = len(statements)
        for circle, membership in pairs:
            assert is_enabled(circle, "caseload")
            assert member_can(membership, "caseload.assign")
            assert member_can(membership, "notes.write")
        assert statements[before:] == []  # the switches and the circles came with the read
        assert [c.name for c, _ in pairs] == [f"Circle {i:02d}" for i in range(count)]
        assert all(m.user_id == therapist.id and m.circle_id == c.id for c, m in pairs)


def test_pairs_are_ordered_by_name_and_archived_circles_left_out(
    app: Flask, make_user: Any
) -> None:
    therapist = _person(make_user, "Thea Therapist")
    setups = _circles_for(app, make_user, therapist, ["beta", "Alpha", "Gamma", "Old"])
    with app.app_context():
        old = db.session.get(Circle, setups[3].id)
        archive_circle(old, membership_of(old.id, old.created_by_id))
        db.session.commit()
    with app.test_request_context():
        assert [c.name for c, _ in memberships_of(therapist.id)] == ["Alpha", "beta", "Gamma"]


def test_a_plugin_veto_is_honoured_as_member_can_honours_it(app: Flask, make_user: Any) -> None:
    therapist = _person(make_user, "Thea Therapist")
    _circles_for(app, make_user, therapist, ["Open", "Vetoed"])
    with app.test_request_context():
        assert [c.name for c, _ in memberships_of(therapist.id)] == ["Open", "Vetoed"]
        assign = memberships_of(therapist.id, capability="caseload.assign")
        assert [c.name for c, _ in assign] == ["Open"]
        write = memberships_of(therapist.id, capability="notes.write")
        assert [c.name for c, _ in write] == ["Open"]


def test_a_circle_where_the_plugin_is_off_is_left_out(app: Flask, make_user: Any) -> None:
    therapist = _person(make_user, "Thea Therapist")
    setups = _circles_for(app, make_user, therapist, ["On", "Off"])
    with app.app_context():
        set_enabled(db.session.get(Circle, setups[1].id), "caseload", False, None)
        db.session.commit()
    with app.test_request_context():
        assert [c.name for c, _ in memberships_of(therapist.id, plugin="caseload")] == ["On"]
        # Its own capability exists only where the plugin is on.
        assigning = memberships_of(therapist.id, capability="caseload.assign")
        assert [c.name for c, _ in assigning] == ["On"]
        assert [c.name for c, _ in memberships_of(therapist.id)] == ["Off", "On"]
        off = memberships_of(therapist.id)[0][0]
        assert not is_enabled(off, "caseload")
        assert memberships_of(therapist.id, plugin="not-loaded") == []


def test_capabilities_filter_by_each_circles_role(app: Flask, make_user: Any) -> None:
    person = _person(make_user, "Pat Person")
    roles = ["therapist", "supporter", "coordinator", "family"]
    for role in roles:
        people = {"coordinator": _person(make_user, f"Lead {role}"), role: person}
        if role == "coordinator":
            people = {"coordinator": person}
        build_circle(app, people, name=f"As {role}")
    with app.test_request_context():

        def names(capability: str) -> list[str]:
            return [c.name for c, _ in memberships_of(person.id, capability=capability)]

        assert names("caseload.assign") == ["As therapist"]
        assert names("circle.manage") == ["As coordinator"]
        assert names("notes.write") == ["As coordinator", "As family", "As therapist"]
        assert names("circle.view") == [f"As {r}" for r in sorted(roles)]
        roles_seen = {c.name: m.role for c, m in memberships_of(person.id)}
        assert roles_seen == {f"As {r}": r for r in roles}


def test_a_person_in_no_circle_gets_an_empty_list(app: Flask, make_user: Any) -> None:
    loner = make_user()
    with app.test_request_context():
        assert memberships_of(loner.id) == []
        assert memberships_of(loner.id, capability="circle.view", plugin="caseload") == []


def test_record_views_writes_one_row_per_circle_in_one_statement(
    app: Flask, make_user: Any
) -> None:
    therapist = _person(make_user, "Thea Therapist")
    _circles_for(app, make_user, therapist, ["One", "Two", "Three"])
    with app.test_request_context():
        circles = [c for c, _ in memberships_of(therapist.id)]
        circle_ids = sorted(c.id for c in circles)
        with sql_statements(app) as statements:
            record_views("caseload.viewed", circles, object_type="caseload", object_id="week")
        [insert] = _statements(statements)
        assert insert.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"), insert
        with sql_statements(app) as statements:
            record_views("caseload.viewed", [], object_type="caseload", object_id="week")
        assert statements == []
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "caseload.viewed")
        ).all()
        assert sorted(r.circle_id for r in rows) == circle_ids
        assert {(r.object_type, r.object_id) for r in rows} == {("caseload", "week")}


def test_record_views_names_the_signed_in_person(app: Flask, make_user: Any) -> None:
    """Written after the read in its own transaction, with the reader as actor."""
    from flask_login import login_user

    from careteam.auth.models import User

    therapist = _person(make_user, "Thea Therapist")
    _circles_for(app, make_user, therapist, ["One", "Two"])
    with app.test_request_context():
        user = db.session.get(User, therapist.id)
        user.pending_session_token = "not-used-here"  # login_user asks for the cookie's value
        login_user(user)
        circles = [c for c, _ in memberships_of(therapist.id)]
        record_views("caseload.viewed", circles, object_type="caseload", object_id="week")
        # The read's session is untouched: the rows were committed on a connection of their own.
        assert not db.session.new
    with app.app_context():
        actors = db.session.scalars(
            select(AuditEvent.actor_id).where(AuditEvent.action == "caseload.viewed")
        ).all()
        assert actors == [therapist.id, therapist.id]
