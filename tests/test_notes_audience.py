"""Nobody sees a note outside its audience: feed, detail, history, search, counts, comments."""

from __future__ import annotations

import pytest

from careteam.extensions import db
from careteam.notes.testing import circle_with_every_role, write_note
from careteam.testing import signed_in

# Notes written for the matrix: key -> (author role, audience).
NOTES = {
    "everyone": ("coordinator", "everyone"),
    "care_team": ("coordinator", "care_team"),
    "coordinators": ("coordinator", "coordinators"),
    "coordinator_draft": ("coordinator", "only_me"),
    "family_draft": ("family", "only_me"),
}

# What each member may see, exactly (DESIGN.md section 4 and careteam/audience.py).
VISIBLE = {
    "coordinator": {"everyone", "care_team", "coordinators", "coordinator_draft"},
    "family": {"everyone", "care_team", "family_draft"},
    "caregiver": {"everyone", "care_team"},
    "therapist": {"everyone", "care_team"},
    "supporter": {"everyone"},
    "care_recipient": {"everyone", "care_team", "coordinators"},
}


@pytest.fixture
def matrix(app, make_user):
    setup = circle_with_every_role(app, make_user)
    ids = {}
    for key, (role, audience) in NOTES.items():
        ids[key] = write_note(
            app,
            setup,
            role,
            title=f"Title {key}",
            body=f"Zebracrossing marker text for {key}.",
            audience=audience,
            category="shift_handoff",
            tags=["matrixtag"],
        )
    return setup, ids


def _client_for(new_client, setup, role):
    return signed_in(new_client, setup.outsider if role == "outsider" else setup.people[role])


def _titles_in(html: str) -> set[str]:
    return {key for key in NOTES if f"Title {key}<" in html or f"Title {key}</" in html}


@pytest.mark.parametrize("role", [*VISIBLE, "outsider"])
def test_audience_matrix(app, new_client, matrix, role):
    setup, ids = matrix
    client = _client_for(new_client, setup, role)
    expected = VISIBLE.get(role, set())

    feed = client.get(setup.url())
    if role == "outsider":
        assert feed.status_code == 404
    else:
        assert feed.status_code == 200
        assert _titles_in(feed.get_data(as_text=True)) == expected

    # Filtered feed (by tag) and search honour the audience too.
    tagged = client.get(setup.url("?tag=matrixtag"))
    searched = client.get(setup.url("/search?q=zebracrossing"))
    if role == "outsider":
        assert tagged.status_code == searched.status_code == 404
    else:
        assert _titles_in(tagged.get_data(as_text=True)) == expected
        assert searched.status_code == 200
        assert _titles_in(searched.get_data(as_text=True)) == expected

    for key, note_id in ids.items():
        status = 200 if key in expected else 404
        assert client.get(setup.url(f"/{note_id}")).status_code == status, key
        assert client.get(setup.url(f"/{note_id}/history")).status_code == status, key


@pytest.mark.parametrize("role", list(VISIBLE))
def test_unread_counts_and_recent_section_count_only_visible_notes(app, matrix, role):
    from careteam.circles.membership import membership_of
    from careteam.circles.models import Circle
    from careteam.notes import queries, recent_notes_section

    setup, ids = matrix
    authored = {key for key, (author, _) in NOTES.items() if author == role}
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        membership = membership_of(setup.id, setup.people[role].id)
        # Authors have read their own notes; everything else they may see is unread.
        assert queries.unread_count(circle, membership) == len(VISIBLE[role] - authored)
        section = recent_notes_section(circle=circle, membership=membership)
        assert {row.public_id for row in section["notes"]} == {ids[k] for k in VISIBLE[role]}
        assert section["unread"] == len(VISIBLE[role] - authored)


def test_outsider_recent_section_is_left_out(app, matrix):
    from careteam.circles.models import Circle
    from careteam.notes import recent_notes_section

    setup, _ = matrix
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        assert recent_notes_section(circle=circle, membership=None) is None


def test_comments_follow_the_note_audience(app, new_client, matrix):
    from careteam.notes.models import NoteComment

    setup, ids = matrix
    supporter = _client_for(new_client, setup, "supporter")
    page = setup.url(f"/{ids['everyone']}")
    ok = supporter.post_form(page + "/comments", {"body": "Thinking of you all"}, page=page)
    assert ok.status_code == 302
    # A supporter cannot see, so cannot comment on, a care-team note: 404 and nothing stored.
    hidden = supporter.post_form(
        setup.url(f"/{ids['care_team']}/comments"), {"body": "sneaky"}, page=page
    )
    assert hidden.status_code == 404
    with app.app_context():
        bodies = [c.body for c in db.session.query(NoteComment).all()]
    assert bodies == ["Thinking of you all"]


def test_writers_are_only_offered_audiences_that_include_them(app, new_client, make_user):
    from careteam.notes.models import Note

    setup = circle_with_every_role(app, make_user)
    family = _client_for(new_client, setup, "family")
    form = family.get(setup.url("/new")).get_data(as_text=True)
    assert 'value="care_team"' in form and 'value="coordinators"' not in form
    response = family.post_form(
        setup.url("/new"),
        {"body": "For coordinators", "category": "update", "audience": "coordinators"},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(Note).count() == 0


def test_revisions_written_privately_stay_private(app, new_client, make_user):
    """A draft made public later does not expose its private earlier versions."""
    setup = circle_with_every_role(app, make_user)
    note_id = write_note(app, setup, "family", body="Private first thoughts", audience="only_me")
    family = _client_for(new_client, setup, "family")
    page = setup.url(f"/{note_id}/edit")
    response = family.post_form(
        page,
        {
            "body": "Shared with the team",
            "category": "update",
            "audience": "care_team",
            "version": "1",
        },
    )
    assert response.status_code == 302
    caregiver = _client_for(new_client, setup, "caregiver")
    history = caregiver.get(setup.url(f"/{note_id}/history")).get_data(as_text=True)
    assert "Shared with the team" in history
    assert "Private first thoughts" not in history
    own = family.get(setup.url(f"/{note_id}/history")).get_data(as_text=True)
    assert "Private first thoughts" in own
