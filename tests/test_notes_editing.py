"""Writing, editing (optimistic, with revisions), trash, pins, comments, handoffs and audit rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.circles.models import Circle
from careteam.db.clock import set_clock
from careteam.extensions import db
from careteam.notes.models import (
    Note,
    NoteAcknowledgement,
    NoteComment,
    NoteRead,
    NoteRevision,
    NoteTag,
)
from careteam.notes.testing import circle_with_every_role, write_note
from careteam.testing import login, signed_in


@pytest.fixture
def setup(app, make_user):
    return circle_with_every_role(app, make_user)


def note_row(app, public_id):
    with app.app_context():
        note = db.session.scalar(select(Note).where(Note.public_id == public_id))
        if note is not None:
            db.session.expunge(note)
        return note


def audit_actions(app, object_id=None):
    with app.app_context():
        stmt = select(AuditEvent.action, AuditEvent.details).order_by(AuditEvent.id)
        if object_id:
            stmt = stmt.where(AuditEvent.object_id == object_id)
        return [(row.action, row.details) for row in db.session.execute(stmt)]


@pytest.fixture
def frozen_clock():
    now = {"value": datetime(2026, 5, 1, 9, 0, tzinfo=UTC)}
    set_clock(lambda: now["value"])
    yield now
    set_clock(None)


def test_write_a_note_through_the_form(app, new_client, setup):
    client = signed_in(new_client, setup.people["caregiver"])
    response = client.post_form(
        setup.url("/new"),
        {
            "title": "Morning check",
            "body": "Walked to the **garden** with the cane.",
            "category": "mood_energy",
            "tags": "walking, cane, walking , ",
            "audience": "everyone",
        },
    )
    assert response.status_code == 302
    note_id = response.headers["Location"].rsplit("/", 1)[-1]
    note = note_row(app, note_id)
    assert (note.title, note.category, note.audience, note.version) == (
        "Morning check",
        "mood_energy",
        "everyone",
        1,
    )
    assert note.tags == ["walking", "cane"]
    assert note.excerpt == "Walked to the garden with the cane."
    with app.app_context():
        assert db.session.scalars(select(NoteTag.tag).order_by(NoteTag.id)).all() == [
            "walking",
            "cane",
        ]
        assert db.session.query(NoteRevision).count() == 1
    detail = client.get(setup.url(f"/{note_id}")).get_data(as_text=True)
    assert "<strong>garden</strong>" in detail
    assert "Everyone in the circle" in detail  # the audience is shown on the note
    # The change is audited without any note text.
    created = [d for a, d in audit_actions(app, note_id) if a == "note.created"]
    assert created == [{"category": "mood_energy", "audience": "everyone"}]


def test_new_note_starts_with_the_circle_default_audience(app, new_client, setup):
    coordinator = signed_in(new_client, setup.people["coordinator"])
    page = setup.url("/settings")
    assert coordinator.post_form(page, {"default_audience": "everyone"}).status_code == 302
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        assert circle.settings["default_note_audience"] == "everyone"
    form = coordinator.get(setup.url("/new")).get_data(as_text=True)
    checked = re.findall(r'<input[^>]* checked [^>]*name="audience"[^>]*value="(\w+)"', form)
    assert checked == ["everyone"]
    assert ("circle.settings_changed", {"default_note_audience": "everyone"}) in audit_actions(app)
    # Only members who manage the circle may change it.
    family = signed_in(new_client, setup.people["family"])
    assert family.get(page).status_code == 403


def test_field_errors_keep_the_text(app, new_client, setup):
    client = signed_in(new_client, setup.people["family"])
    body = "x" * 50_001
    response = client.post_form(
        setup.url("/new"),
        {"title": "Too long", "body": body, "category": "update", "audience": "care_team"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="body-errors"' in html and "under 50,000 characters" in html
    assert 'aria-describedby="body-hint body-errors"' in html
    assert body in html and 'value="Too long"' in html
    empty = client.post_form(
        setup.url("/new"), {"body": "   ", "category": "update", "audience": "care_team"}
    )
    assert empty.status_code == 422 and "Write something in the note." in empty.get_data(
        as_text=True
    )
    many_tags = ", ".join(f"t{i}" for i in range(21))
    tags = client.post_form(
        setup.url("/new"),
        {"body": "ok", "category": "update", "audience": "care_team", "tags": many_tags},
    )
    assert tags.status_code == 422 and "at most 20 tags" in tags.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Note).count() == 0


def test_post_without_csrf_token_changes_nothing(app, new_client, setup):
    client = signed_in(new_client, setup.people["family"])
    note_id = write_note(app, setup, "family", body="Original")
    response = client.post(
        setup.url("/new"), data={"body": "No token", "category": "update", "audience": "care_team"}
    )
    assert response.status_code == 400
    deleted = client.post(setup.url(f"/{note_id}/delete"))
    assert deleted.status_code == 400
    with app.app_context():
        assert db.session.query(Note).count() == 1
        assert db.session.scalar(select(Note.deleted_at)) is None


def _edit(client, setup, note_id, body, version, **extra):
    data = {"body": body, "category": "update", "audience": "care_team", "version": str(version)}
    data.update(extra)
    return client.post_form(setup.url(f"/{note_id}/edit"), data)


def test_edit_keeps_revisions_and_refuses_stale_saves(app, new_client, setup):
    note_id = write_note(app, setup, "family", title="Plan", body="Version one text")
    family = signed_in(new_client, setup.people["family"])
    coordinator = signed_in(new_client, setup.people["coordinator"])

    # Both open the form at version 1; the coordinator saves first.
    assert _edit(coordinator, setup, note_id, "Coordinator's text", 1).status_code == 302
    conflict = _edit(family, setup, note_id, "Family's careful text", 1)
    assert conflict.status_code == 409
    html = conflict.get_data(as_text=True)
    assert "Coordinator&#39;s text" in html or "Coordinator's text" in html  # theirs, shown
    assert "Family&#39;s careful text" in html or "Family's careful text" in html  # kept
    assert 'name="version" type="hidden" value="2"' in html  # ready to save after merging
    note = note_row(app, note_id)
    assert note.body == "Coordinator's text" and note.version == 2

    # Saving the merged text against the version shown succeeds.
    assert _edit(family, setup, note_id, "Merged text", 2).status_code == 302
    with app.app_context():
        revs = db.session.execute(
            select(NoteRevision.version, NoteRevision.body).order_by(NoteRevision.version)
        ).all()
    assert [tuple(r) for r in revs] == [
        (1, "Version one text"),
        (2, "Coordinator's text"),
        (3, "Merged text"),
    ]
    history = family.get(setup.url(f"/{note_id}/history")).get_data(as_text=True)
    for text in ("Version one text", "Coordinator", "Merged text"):
        assert text in history
    edits = [d for a, d in audit_actions(app, note_id) if a == "note.edited"]
    assert edits == [{"version": 2}, {"version": 3}]


def test_only_author_or_coordinator_edits_and_only_author_changes_audience(app, new_client, setup):
    note_id = write_note(app, setup, "family", body="Family note")
    caregiver = signed_in(new_client, setup.people["caregiver"])
    assert caregiver.get(setup.url(f"/{note_id}/edit")).status_code == 403
    coordinator = signed_in(new_client, setup.people["coordinator"])
    widened = _edit(coordinator, setup, note_id, "Family note", 1, audience="everyone")
    assert widened.status_code == 422
    assert "Only the author can change who sees this note." in widened.get_data(as_text=True)
    assert note_row(app, note_id).audience == "care_team"


def test_edit_of_a_note_trashed_meanwhile_keeps_the_text(app, new_client, setup):
    note_id = write_note(app, setup, "family", body="Before")
    family = signed_in(new_client, setup.people["family"])
    page = setup.url(f"/{note_id}")
    family.post_form(setup.url(f"/{note_id}/delete"), {}, page=page)
    response = family.post_form(
        setup.url(f"/{note_id}/edit"),
        {"body": "My long update", "category": "update", "audience": "care_team", "version": 1},
        page=setup.url(""),
    )
    assert response.status_code == 409
    assert "My long update" in response.get_data(as_text=True)


def test_trash_restore_and_purge(app, new_client, setup, runner, frozen_clock):
    own = write_note(app, setup, "family", title="Family's", body="one")
    team = write_note(app, setup, "caregiver", title="Caregiver's", body="two")
    secret = write_note(app, setup, "coordinator", title="Coordinators'", audience="coordinators")
    family = signed_in(new_client, setup.people["family"])
    coordinator = signed_in(new_client, setup.people["coordinator"])
    caregiver = signed_in(new_client, setup.people["caregiver"])

    for client, note_id in ((family, own), (caregiver, team), (coordinator, secret)):
        page = setup.url(f"/{note_id}")
        assert client.post_form(page + "/delete", {}, page=page).status_code == 302
    # A deleted note leaves the feed and its page.
    assert family.get(setup.url(f"/{own}")).status_code == 404
    assert "Family&#39;s" not in family.get(setup.url()).get_data(as_text=True)

    # The trash lists only what the viewer could read and may restore.
    family_trash = family.get(setup.url("/trash")).get_data(as_text=True)
    assert "Family&#39;s" in family_trash and "Caregiver" not in family_trash
    coordinator_trash = coordinator.get(setup.url("/trash")).get_data(as_text=True)
    assert all(t in coordinator_trash for t in ("Family&#39;s", "Caregiver&#39;s", "Coordinators"))
    caregiver_trash = caregiver.get(setup.url("/trash")).get_data(as_text=True)
    assert "Coordinators" not in caregiver_trash and "Family" not in caregiver_trash

    # Someone else's note cannot be restored by a non-moderator; a coordinator can.
    trash = setup.url("/trash")
    assert family.post_form(setup.url(f"/{team}/restore"), {}, page=trash).status_code == 404
    assert coordinator.post_form(setup.url(f"/{team}/restore"), {}, page=trash).status_code == 302
    assert note_row(app, team).deleted_at is None

    # After 30 days the trash no longer offers the note; the purge removes it for good.
    frozen_clock["value"] += timedelta(days=30, minutes=1)
    family = signed_in(new_client, setup.people["family"])  # the old session has expired by now
    listing = family.get(trash)
    assert listing.status_code == 200
    assert "Family&#39;s" not in listing.get_data(as_text=True)
    assert family.post_form(setup.url(f"/{own}/restore"), {}, page=trash).status_code == 404
    result = runner.invoke(args=["careteam", "purge-trash"])
    assert result.exit_code == 0, result.output
    assert "Purged 2 notes" in result.output
    assert note_row(app, own) is None and note_row(app, secret) is None
    assert note_row(app, team) is not None
    with app.app_context():
        assert db.session.query(NoteRevision).count() == 1  # only the surviving note's
    actions = [a for a, _ in audit_actions(app)]
    assert actions.count("note.deleted") == 3 and actions.count("note.restored") == 1
    assert actions.count("note.purged") == 2


def test_pin_moves_a_note_to_the_top(app, new_client, setup, frozen_clock):
    first = write_note(app, setup, "family", title="Oldest note")
    frozen_clock["value"] += timedelta(hours=1)
    write_note(app, setup, "family", title="Newest note")
    coordinator = signed_in(new_client, setup.people["coordinator"])
    family = signed_in(new_client, setup.people["family"])
    page = setup.url(f"/{first}")
    assert family.post_form(page + "/pin", {}, page=page).status_code == 403
    assert coordinator.post_form(page + "/pin", {}, page=page).status_code == 302
    feed = family.get(setup.url()).get_data(as_text=True)
    assert feed.index("Oldest note") < feed.index("Newest note")
    assert "Pinned" in feed
    assert ("note.pinned", {}) in audit_actions(app, first)
    assert coordinator.post_form(page + "/unpin", {}, page=page).status_code == 302
    feed = family.get(setup.url()).get_data(as_text=True)
    assert feed.index("Newest note") < feed.index("Oldest note")


def test_comments_are_stored_shown_and_audited(app, new_client, setup):
    note_id = write_note(app, setup, "family", audience="everyone", body="Update")
    supporter = signed_in(new_client, setup.people["supporter"])
    page = setup.url(f"/{note_id}")
    empty = supporter.post_form(page + "/comments", {"body": ""}, page=page)
    assert empty.status_code == 422
    assert 'id="body-errors"' in empty.get_data(as_text=True)
    ok = supporter.post_form(
        page + "/comments", {"body": "Sending love\nsee you Sunday"}, page=page
    )
    assert ok.status_code == 302
    html = supporter.get(page).get_data(as_text=True)
    assert "Sending love\nsee you Sunday" in html
    with app.app_context():
        comment = db.session.scalar(select(NoteComment))
        assert comment.author_id == setup.people["supporter"].id
    commented = [d for a, d in audit_actions(app, note_id) if a == "note.commented"]
    assert commented == [{"comment": comment.public_id}]


def test_handoff_acknowledgement_shows_who_has_seen_it(app, new_client, setup):
    handoff = write_note(app, setup, "caregiver", category="shift_handoff", body="Evening handoff")
    update = write_note(app, setup, "caregiver", category="update", body="Plain update")
    family = signed_in(new_client, setup.people["family"])
    page = setup.url(f"/{handoff}")
    html = family.get(page).get_data(as_text=True)
    assert "Acknowledge: I have read this handoff" in html
    assert family.post_form(page + "/acknowledge", {}, page=page).status_code == 302
    again = family.post_form(page + "/acknowledge", {}, page=page)
    assert again.status_code == 302
    html = family.get(page).get_data(as_text=True)
    assert "Family Person" in html and "Acknowledge: I have read" not in html
    with app.app_context():
        assert db.session.query(NoteAcknowledgement).count() == 1
    other = setup.url(f"/{update}")
    assert family.post_form(other + "/acknowledge", {}, page=other).status_code == 404
    assert [a for a, _ in audit_actions(app, handoff)].count("note.acknowledged") == 1


def test_reading_a_note_is_audited_and_marks_it_read(app, new_client, setup):
    note_id = write_note(app, setup, "family", body="Secret body words")
    caregiver = signed_in(new_client, setup.people["caregiver"])
    assert "1 unread note" in caregiver.get(setup.url()).get_data(as_text=True)
    assert caregiver.get(setup.url(f"/{note_id}")).status_code == 200
    assert "all caught up" in caregiver.get(setup.url()).get_data(as_text=True)
    viewed = [(a, d) for a, d in audit_actions(app, note_id) if a == "note.viewed"]
    assert viewed == [("note.viewed", {})]
    with app.app_context():
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "note.viewed"))
        assert row.actor_id == setup.people["caregiver"].id and row.circle_id == setup.id
        read = db.session.scalar(
            select(NoteRead).where(NoteRead.user_id == setup.people["caregiver"].id)
        )
        assert read.seen_version == 1
        # No audit row anywhere carries note text.
        for event in db.session.scalars(select(AuditEvent)):
            assert "Secret body" not in str(event.details)
    # An edit by someone else makes the note unread again for the caregiver.
    family = signed_in(new_client, setup.people["family"])
    assert _edit(family, setup, note_id, "Secret body words, revised", 1).status_code == 302
    feed = caregiver.get(setup.url()).get_data(as_text=True)
    assert "1 unread note" in feed and "Updated" in feed


def test_supporters_cannot_write_and_outsiders_get_404(app, new_client, setup):
    supporter = signed_in(new_client, setup.people["supporter"])
    assert supporter.get(setup.url("/new")).status_code == 403
    outsider = new_client()
    login(outsider, setup.outsider.email)
    assert outsider.get(setup.url("/new")).status_code == 404
    assert outsider.get(setup.url("/trash")).status_code == 404
    anonymous = new_client()
    assert anonymous.get(setup.url()).status_code == 302
