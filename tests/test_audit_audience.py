"""Audit rows about an object with an audience are shown only to those who may see the object.

Each such row carries the object's audience and author, stamped when it is written and again
when the object's audience changes; the circle's audit page filters on them in SQL, so pages
stay full and rows about deleted objects keep the rule of the object as it was.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from careteam import audit
from careteam.appointments.testing import appointment_url, form_data, make_appointment
from careteam.audit import AuditEvent
from careteam.circles import audit_log
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.db.clock import utcnow
from careteam.extensions import db
from careteam.notes import service as notes
from careteam.notes import trash
from careteam.notes.testing import write_note
from careteam.testing import signed_in, sql_statements

ROLES = ("coordinator", "family", "caregiver", "therapist", "supporter", "care_recipient")
AUDIENCES = ("everyone", "care_team", "coordinators", "only_me")

# Which shared audiences each role reads, written out here (DESIGN.md section 4) rather than
# taken from careteam.audience, so a change of that rule shows up as a failing test.
SHARED_FOR = {
    "coordinator": {"everyone", "care_team", "coordinators"},
    "care_recipient": {"everyone", "care_team", "coordinators"},
    "family": {"everyone", "care_team"},
    "caregiver": {"everyone", "care_team"},
    "therapist": {"everyone", "care_team"},
    "supporter": {"everyone"},
}


@pytest.fixture
def setup(app, make_user):
    return build_circle(app, people_for_every_role(make_user), name="Maya's circle")


def _membership(setup, role):
    return membership_of(setup.id, setup.people[role].id)


# --- who sees which rows, per audience x author x viewer -------------------------------------


def _record_matrix(app, setup) -> dict[tuple[str, str], int]:
    """Record one ``note.viewed`` row per (audience, author role) and one row with no audience;
    return {(audience, author role): event id}."""
    ids = {}
    with app.app_context():
        for audience in AUDIENCES:
            for author in ROLES:
                event = audit.record(
                    "note.viewed",
                    circle_id=setup.id,
                    object_type="note",
                    object_id=f"{audience}-{author}",
                    actor_id=setup.people[author].id,
                    object_audience=audience,
                    object_author_id=setup.people[author].id,
                )
                db.session.flush()
                ids[(audience, author)] = event.id
        audit.record(
            "circle.updated", circle_id=setup.id, object_type="circle", object_id=setup.public_id
        )
        db.session.commit()
    return ids


def _expected_objects(viewer: str) -> set[str]:
    shared = {f"{a}-{author}" for a in SHARED_FOR[viewer] for author in ROLES}
    return shared | {f"only_me-{viewer}"}


@pytest.mark.parametrize("viewer", ROLES)
def test_every_role_sees_exactly_the_rows_of_objects_it_may_see(app, setup, viewer):
    _record_matrix(app, setup)
    with app.app_context():
        membership = _membership(setup, viewer)
        for action in (None, "note.viewed"):
            page = audit_log.audit_page(setup.id, viewer=membership, action=action, limit=500)
            notes_seen = {e.event.object_id for e in page.entries if e.event.object_type == "note"}
            assert notes_seen == _expected_objects(viewer), action
        everything = audit_log.audit_page(setup.id, viewer=membership, limit=500)
        assert "circle.updated" in {e.event.action for e in everything.entries}


def test_rows_about_objects_without_an_audience_stay_visible_to_log_readers(app, setup):
    _record_matrix(app, setup)
    with app.app_context():
        for viewer in ("coordinator", "care_recipient"):
            page = audit_log.audit_page(setup.id, viewer=_membership(setup, viewer), limit=500)
            joins = [e for e in page.entries if e.event.action == "member.joined"]
            assert len(joins) == len(ROLES)


# --- the story from the issue ------------------------------------------------------------------


def _note_form(**overrides):
    data = {"title": "", "body": "A note.", "category": "update", "tags": "", "audience": ""}
    data.update(overrides)
    return data


def _new_note(client, setup, audience: str, body: str) -> str:
    response = client.post_form(
        setup.url("/notes/new"), _note_form(audience=audience, body=body, title=body)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_the_care_recipient_does_not_see_the_metadata_of_private_notes(app, new_client, setup):
    ruth = signed_in(new_client, setup.people["family"])
    sam = signed_in(new_client, setup.people["coordinator"])
    maya = signed_in(new_client, setup.people["care_recipient"])
    ruths_draft = _new_note(ruth, setup, "only_me", "Ruth's draft")
    sams_draft = _new_note(sam, setup, "only_me", "Sam's draft")
    shared = _new_note(ruth, setup, "everyone", "Shared update")
    for _ in range(3):
        assert ruth.get(setup.url(f"/notes/{ruths_draft}")).status_code == 200
        assert sam.get(setup.url(f"/notes/{sams_draft}")).status_code == 200
    assert maya.get(setup.url(f"/notes/{shared}")).status_code == 200

    for action in ("note.created", "note.viewed", ""):
        html = maya.get(setup.url(f"/audit?action={action}")).get_data(as_text=True)
        assert ruths_draft not in html and sams_draft not in html, action
    created = maya.get(setup.url("/audit?action=note.created")).get_data(as_text=True)
    assert shared in created
    ruth_id = setup.people["family"].public_id
    by_ruth = maya.get(setup.url(f"/audit?person={ruth_id}")).get_data(as_text=True)
    assert shared in by_ruth and ruths_draft not in by_ruth

    # Sam sees the rows of his own draft, still not Ruth's.
    html = sam.get(setup.url("/audit?action=note.viewed")).get_data(as_text=True)
    assert sams_draft in html and ruths_draft not in html


# --- audience changes and deleted objects ----------------------------------------------------


def _visible_object_ids(app, setup, viewer: str, action: str | None = None) -> list[str]:
    with app.app_context():
        page = audit_log.audit_page(
            setup.id, viewer=_membership(setup, viewer), action=action, limit=500
        )
        return [e.event.object_id for e in page.entries]


def test_changing_a_notes_audience_restamps_its_earlier_rows(app, new_client, setup):
    sam = signed_in(new_client, setup.people["coordinator"])
    note_id = write_note(app, setup, "coordinator", audience="everyone", body="Plan")
    assert sam.get(setup.url(f"/notes/{note_id}")).status_code == 200
    assert _visible_object_ids(app, setup, "care_recipient").count(note_id) == 2

    edit = sam.get(setup.url(f"/notes/{note_id}/edit")).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', edit).group(1)
    response = sam.post_form(
        setup.url(f"/notes/{note_id}/edit"),
        _note_form(audience="only_me", body="Plan", version=version),
    )
    assert response.status_code == 302
    assert note_id not in _visible_object_ids(app, setup, "care_recipient")
    # created, viewed, edited and audience_changed
    assert _visible_object_ids(app, setup, "coordinator").count(note_id) == 4

    with app.app_context():
        note = notes.get_visible_note(
            db.session.get(Circle, setup.id), _membership(setup, "coordinator"), note_id
        )
        notes.update_note(
            note,
            _membership(setup, "coordinator"),
            expected_version=note.version,
            title="",
            body="Plan",
            category="update",
            tags=[],
            audience="care_team",
        )
        db.session.commit()
    assert _visible_object_ids(app, setup, "care_recipient").count(note_id) == 6


def test_changing_an_appointments_audience_restamps_its_earlier_rows(app, new_client, setup):
    ruth = signed_in(new_client, setup.people["family"])
    appointment_id = make_appointment(
        app, setup.id, setup.people["family"].id, audience="care_team", title="Scan"
    )
    assert ruth.get(appointment_url(setup, f"/{appointment_id}")).status_code == 200
    assert _visible_object_ids(app, setup, "care_recipient").count(appointment_id) == 2

    response = ruth.post_form(
        appointment_url(setup, f"/{appointment_id}/edit"),
        form_data(title="Scan", audience="only_me"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert appointment_id not in _visible_object_ids(app, setup, "care_recipient")
    assert appointment_id not in _visible_object_ids(app, setup, "coordinator")
    # created, viewed, updated and audience_changed
    assert _visible_object_ids(app, setup, "family").count(appointment_id) == 4

    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_id == appointment_id)
        ).all()
        assert {(r.object_audience, r.object_author_id) for r in rows} == {
            ("only_me", setup.people["family"].id)
        }


@pytest.mark.parametrize("audience", ["everyone", "only_me"])
def test_rows_about_a_deleted_note_keep_its_rule(app, new_client, setup, audience):
    ruth = signed_in(new_client, setup.people["family"])
    note_id = write_note(app, setup, "family", audience=audience, body="Soon gone")
    assert ruth.get(setup.url(f"/notes/{note_id}")).status_code == 200
    assert ruth.post_form(setup.url(f"/notes/{note_id}/delete"), {}).status_code == 302
    with app.app_context():
        assert trash.purge_trash(now=utcnow() + timedelta(days=trash.TRASH_DAYS + 1)) == 1
        db.session.commit()
    expected = ["note.purged", "note.deleted", "note.viewed", "note.created"]
    for viewer in ("coordinator", "care_recipient", "family"):
        with app.app_context():
            page = audit_log.audit_page(setup.id, viewer=_membership(setup, viewer), limit=500)
        actions = [e.event.action for e in page.entries if e.event.object_id == note_id]
        sees = audience == "everyone" or viewer == "family"
        assert actions == (expected if sees else []), viewer


# --- the rule cannot be forgotten ------------------------------------------------------------


def test_recording_a_row_about_an_audience_object_without_its_audience_raises(app, setup):
    with app.app_context():
        for object_type in ("note", "appointment"):
            with pytest.raises(audit.MissingAudience):
                audit.record("x.viewed", circle_id=setup.id, object_type=object_type, object_id="a")
            with pytest.raises(audit.MissingAudience):
                audit.record_now(
                    "x.viewed", circle_id=setup.id, object_type=object_type, object_id="a"
                )
        with pytest.raises(ValueError):
            audit.record(
                "note.viewed",
                circle_id=setup.id,
                object_type="note",
                object_id="a",
                object_audience="the whole street",
            )
        db.session.rollback()
        # Objects without an audience need none.
        audit.record("circle.updated", circle_id=setup.id, object_type="circle", object_id="c")
        db.session.rollback()


def test_plugins_register_their_audience_objects_through_the_api(app, setup):
    from careteam import api
    from careteam.circles.models import Circle

    api.register_audience_object("test_journal_entry")
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        with pytest.raises(audit.MissingAudience):
            api.record_audit(
                "test.entry_added", circle, object_type="test_journal_entry", object_id="e"
            )
        api.record_audit(
            "test.entry_added",
            circle,
            object_type="test_journal_entry",
            object_id="e",
            actor_id=setup.people["family"].id,
            object_audience="only_me",
            object_author_id=setup.people["family"].id,
        )
        db.session.commit()
    assert "e" not in _visible_object_ids(app, setup, "coordinator")
    assert "e" in _visible_object_ids(app, setup, "family")


# --- pages stay full; the filter lists say nothing of hidden rows ----------------------------


def _hidden_and_visible(app, setup, visible: int, hidden_between: int) -> list[int]:
    """Record ``visible`` rows the care recipient may see, with ``hidden_between`` rows of
    Ruth's private note after each; return the visible rows' ids, newest first."""
    ruth = setup.people["family"]
    ids = []
    with app.app_context():
        db.session.execute(AuditEvent.__table__.delete())
        for n in range(visible):
            event = audit.record(
                "note.viewed",
                circle_id=setup.id,
                object_type="note",
                object_id=f"shared{n}",
                actor_id=ruth.id,
                object_audience="everyone",
                object_author_id=ruth.id,
            )
            for _ in range(hidden_between):
                audit.record(
                    "note.viewed",
                    circle_id=setup.id,
                    object_type="note",
                    object_id="ruths-draft",
                    actor_id=ruth.id,
                    object_audience="only_me",
                    object_author_id=ruth.id,
                )
            db.session.flush()
            ids.append(event.id)
        db.session.commit()
    return ids[::-1]


def test_keyset_pages_stay_full_when_hidden_rows_sit_between(app, new_client, setup):
    maya = signed_in(new_client, setup.people["care_recipient"])
    visible = _hidden_and_visible(app, setup, 60, 5)
    maya.get(setup.url("/audit"))  # warm up
    counts, seen = [], []
    url = setup.url("/audit?action=note.viewed")
    while url:
        with sql_statements(app) as statements:
            html = maya.get(url).get_data(as_text=True)
        counts.append(len(statements))
        rows = re.findall(r"note (shared\d+|ruths-draft)\)", html)
        seen.append(rows)
        cursor = re.search(r"before=(\d+)", html)
        url = setup.url(f"/audit?action=note.viewed&before={cursor.group(1)}") if cursor else None
    assert [len(rows) for rows in seen] == [50, 10]
    everything = [row for rows in seen for row in rows]
    assert everything == [f"shared{n}" for n in range(59, -1, -1)]
    assert len(set(counts)) == 1, counts
    assert len(visible) == 60


def test_filter_lists_leave_out_people_and_actions_seen_only_in_hidden_rows(app, new_client, setup):
    therapist = setup.people["therapist"]
    with app.app_context():
        audit.record(
            "note.history_viewed",
            circle_id=setup.id,
            object_type="note",
            object_id="private",
            actor_id=therapist.id,
            object_audience="only_me",
            object_author_id=therapist.id,
        )
        db.session.commit()
    maya = signed_in(new_client, setup.people["care_recipient"])
    html = maya.get(setup.url("/audit")).get_data(as_text=True)
    assert 'value="note.history_viewed"' not in html
    assert f'value="{therapist.public_id}"' not in html
    with app.app_context():
        audit.record(
            "note.viewed",
            circle_id=setup.id,
            object_type="note",
            object_id="shared",
            actor_id=therapist.id,
            object_audience="care_team",
            object_author_id=therapist.id,
        )
        db.session.commit()
    html = maya.get(setup.url("/audit")).get_data(as_text=True)
    assert f'value="{therapist.public_id}"' in html
    assert 'value="note.history_viewed"' not in html
    with app.app_context():
        membership = _membership(setup, "care_recipient")
        assert "note.history_viewed" not in audit_log.action_choices(setup.id, membership)
        own = audit_log.action_choices(setup.id, _membership(setup, "therapist"))
        assert "note.history_viewed" in own


def test_the_visible_ids_come_from_a_covering_index(app, setup):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return  # PostgreSQL picks plans by table statistics (see the report in the PR)
        membership = _membership(setup, "care_recipient")
        for kwargs, index in (
            ({}, "ix_audit_events_circle_keyset"),
            ({"action": "note.viewed"}, "ix_audit_events_circle_action"),
            ({"actor_id": setup.people["family"].id}, "ix_audit_events_circle_actor"),
        ):
            stmt = audit_log.visible_ids(setup.id, membership, **kwargs)
            compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = " ".join(
                str(row[-1])
                for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}"))
            )
            assert f"USING COVERING INDEX {index}" in plan, plan
