"""A member of one circle can reach nothing in another, whatever ids they put in the URL.

Joe's coordinator asks for every kind of object id from Maya's circle: through Joe's circle
URL (Joe's circle id with Maya's object ids) and through Maya's circle URL directly.  Every
answer is 404 and Maya's circle is unchanged.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.circles.models import Circle, Membership
from careteam.circles.testing import (
    build_circle,
    circle_url,
    object_arguments,
    people_for_every_role,
)
from careteam.extensions import db
from careteam.permissions import circle_rules, declared_capability, role_has
from careteam.testing import login

# The permission matrix registers the URL-argument factories of other features' routes.
_spec = importlib.util.spec_from_file_location(
    "careteam_matrix_factories", Path(__file__).with_name("test_permission_matrix.py")
)
_matrix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_matrix)


def _snapshot(app, circle_id: int) -> dict[str, Any]:
    """Everything about a circle that a probe could change, including notes when present."""
    from sqlalchemy import func

    from careteam.appointments.models import (
        Appointment,
        HelpSignup,
        HelpSlot,
        OccurrenceChange,
    )
    from careteam.invitations.models import Invitation
    from careteam.notes.models import Note, NoteComment
    from careteam.plugins.models import CirclePlugin

    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    with app.app_context():
        circle = db.session.get(Circle, circle_id)
        appointment_ids = select(Appointment.id).where(Appointment.circle_id == circle_id)
        note_ids = select(Note.id).where(Note.circle_id == circle_id)
        extra = {
            "appointments": sorted(
                db.session.execute(
                    select(
                        Appointment.public_id, Appointment.sequence, Appointment.cancelled_at
                    ).where(Appointment.circle_id == circle_id)
                ).all()
            ),
            "occurrence_changes": count(
                OccurrenceChange, OccurrenceChange.appointment_id.in_(appointment_ids)
            ),
            "help": count(
                HelpSignup,
                HelpSignup.slot_id.in_(
                    select(HelpSlot.id).where(HelpSlot.appointment_id.in_(appointment_ids))
                ),
            ),
            "comments": count(NoteComment, NoteComment.note_id.in_(note_ids)),
            "invitations": sorted(
                db.session.execute(
                    select(
                        Invitation.public_id, Invitation.accepted_at, Invitation.revoked_at
                    ).where(Invitation.circle_id == circle_id)
                ).all()
            ),
            "plugins": sorted(
                db.session.execute(
                    select(CirclePlugin.plugin, CirclePlugin.enabled).where(
                        CirclePlugin.circle_id == circle_id
                    )
                ).all()
            ),
            "settings": circle.settings,
        }
        return extra | {
            "circle": (circle.name, circle.description, circle.time_zone, circle.archived_at),
            "members": sorted(
                db.session.execute(
                    select(Membership.public_id, Membership.role).where(
                        Membership.circle_id == circle_id
                    )
                ).all()
            ),
            "notes": sorted(
                db.session.execute(
                    select(Note.public_id, Note.version, Note.pinned, Note.deleted_at).where(
                        Note.circle_id == circle_id
                    )
                ).all()
            ),
            "changes": sorted(
                db.session.scalars(
                    select(AuditEvent.action).where(
                        AuditEvent.circle_id == circle_id, AuditEvent.action.not_like("%viewed")
                    )
                ).all()
            ),
        }


@pytest.fixture
def circles(app, make_user):
    maya_people = people_for_every_role(make_user, prefix="Maya ")
    joe_people = people_for_every_role(make_user, prefix="Joe ")
    maya = build_circle(app, maya_people, name="Maya's circle")
    joe = build_circle(app, joe_people, name="Joe's circle")
    return maya, joe


@pytest.mark.parametrize(
    "prober_role",
    ["coordinator", "care_recipient", "family", "caregiver", "therapist", "supporter"],
)
def test_ids_from_another_circle_are_404(app, new_client, circles, prober_role):
    maya, joe = circles
    client = new_client()
    login(client, joe.people[prober_role].email)
    token = client.csrf_token("/home")
    failures = []
    probed = 0
    for rule in sorted(circle_rules(app), key=lambda r: r.rule):
        # Maya's object ids, made as if for Maya's member with the prober's role.
        via_joe = circle_url(app, rule, maya, prober_role, circle_public_id=joe.public_id)
        direct = circle_url(app, rule, maya, prober_role)
        before = _snapshot(app, maya.id)
        with app.app_context():
            holds = role_has(prober_role, declared_capability(app.view_functions[rule.endpoint]))
        # In Joe's circle a member without the capability gets 403 whatever the id is, which
        # tells them nothing about Maya's objects; with it, Maya's ids must be unknown (404).
        urls = [(direct, 404)]
        if object_arguments(rule):
            urls.append((via_joe, 404 if holds else 403))
        for url, expected in urls:
            for method in ("GET", "POST"):
                if method not in rule.methods:
                    continue
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={"csrf_token": token, "role": "family"})
                probed += 1
                if response.status_code != expected:
                    failures.append(
                        f"{method} {url} [{rule.endpoint}]: {response.status_code}, "
                        f"expected {expected}"
                    )
        assert _snapshot(app, maya.id) == before, f"{rule.endpoint} changed Maya's circle"
    assert probed > 20
    assert failures == []


def test_member_ids_of_another_circle_are_404_even_for_its_coordinator(app, new_client, circles):
    """The coordinator of Joe's circle cannot demote or remove Maya's people via Joe's URL."""
    maya, joe = circles
    client = new_client()
    login(client, joe.people["coordinator"].email)
    for role, member_id in maya.members.items():
        for path in (f"/members/{member_id}/role", f"/members/{member_id}/remove"):
            assert client.get(joe.url(path)).status_code == 404
            response = client.post_form(joe.url(path), {"role": "supporter"}, page="/home")
            assert response.status_code == 404, (role, path)
    with app.app_context():
        roles = dict(
            db.session.execute(
                select(Membership.public_id, Membership.role).where(Membership.circle_id == maya.id)
            ).all()
        )
    assert roles == {member_id: role for role, member_id in maya.members.items()}


@pytest.mark.parametrize("odd", ["\x00", "a\x00b", "x" * 300, "..", "%"])
def test_odd_ids_in_every_circle_url_are_404(app, new_client, circles, odd):
    """Ids no row can have answer 404 on every route and backend, never 500."""
    from urllib.parse import quote

    maya, _joe = circles
    client = new_client()
    login(client, maya.people["coordinator"].email)
    token = client.csrf_token("/home")
    failures = []
    for rule in circle_rules(app):
        with app.app_context():
            capability = declared_capability(app.view_functions[rule.endpoint])
            holds = role_has("coordinator", capability)
        for name in sorted(rule.arguments):
            # Without the route's capability (a therapist's page) the answer is 403 whatever
            # the id (or 404 where the id is refused before the guard), which tells nothing
            # about it; an odd circle id is never a circle (404).
            expected = {404} if holds or name == "circle_id" else {403, 404}
            url = circle_url(app, rule, maya, "coordinator")
            real = (
                maya.public_id
                if name == "circle_id"
                else url.split("/")[rule.rule.split("/").index(f"<{name}>")]
            )
            probe = url.replace(real, quote(odd, safe=""), 1)
            for method in ("GET", "POST"):
                if method not in rule.methods:
                    continue
                if method == "GET":
                    status = client.get(probe).status_code
                else:
                    status = client.post(probe, data={"csrf_token": token}).status_code
                if status not in expected:
                    failures.append(f"{method} {probe[:80]} [{rule.endpoint}]: {status}")
    assert failures == []


@pytest.mark.parametrize(
    "path",
    [
        "/circles/%00/notes",
        "/circles/{circle}%00/notes",
        "/circles/{circle}/notes/%00",
        "/circles/{circle}/appointments/%01abc",
        "/circles/" + "x" * 80 + "/notes",
    ],
)
def test_ids_no_row_can_have_answer_404_to_a_signed_in_member(
    app: Any, client_as: Any, circle_with_roles: Any, path: str
) -> None:
    """The guard reads the circle named in the URL: an id PostgreSQL would refuse (a NUL) must
    end as a 404 before it reaches that query."""
    client = client_as("coordinator")
    answer = client.get(path.format(circle=circle_with_roles.public_id))
    assert answer.status_code == 404
    # The member is still signed in afterwards.
    assert client.get(circle_with_roles.url("/notes")).status_code == 200
