"""Notes on other pages: circle home section, circle navigation, capabilities, demo data."""

from __future__ import annotations

from flask import render_template_string
from sqlalchemy import func, select

from careteam.auth.models import User
from careteam.circles.membership import add_member, membership_of
from careteam.circles.models import Circle
from careteam.extensions import db
from careteam.notes.demo import build_demo_notes
from careteam.notes.models import Note, NoteAcknowledgement, NoteComment
from careteam.notes.testing import circle_with_every_role, write_note
from careteam.permissions import capabilities_of
from careteam.roles import Role
from careteam.ui import nav_items

HOME = """{% set sections = page_sections('circle_home', circle=circle, membership=membership) %}
{% for section, context, _html in sections %}<section><h2>{{ section.title }}</h2>
{% include section.template with context %}</section>{% endfor %}"""


def test_capabilities_follow_the_brief(app):
    with app.app_context():
        for role in Role:
            caps = capabilities_of(role)
            assert "notes.read" in caps and "notes.comment" in caps
            assert ("notes.write" in caps) == (role != Role.SUPPORTER)
            assert ("notes.moderate" in caps) == (role == Role.COORDINATOR)


def test_circle_nav_item_is_registered(app):
    with app.test_request_context():
        items = [i for i in nav_items("circle") if i.endpoint == "notes.feed"]
    assert [(i.label, i.order) for i in items] == [("Notes", 20)]


def test_circle_home_section_shows_recent_visible_notes(app, make_user):
    setup = circle_with_every_role(app, make_user)
    for n in range(7):
        write_note(app, setup, "family", title=f"Team note {n}")
    write_note(app, setup, "family", title="Private <draft>", audience="only_me")
    write_note(app, setup, "coordinator", title="Everyone update", audience="everyone")
    with app.test_request_context():
        circle = db.session.get(Circle, setup.id)

        def home_for(role):
            membership = membership_of(setup.id, setup.people[role].id)
            html = render_template_string(HOME, circle=circle, membership=membership)
            assert "<h2>Recent notes</h2>" in html
            return html

        supporter = home_for("supporter")
        assert "Everyone update" in supporter and "Team note" not in supporter
        caregiver = home_for("caregiver")
        # The newest five the caregiver may see, never someone else's private draft.
        assert "Everyone update" in caregiver and "draft" not in caregiver
        assert [n for n in range(7) if f"Team note {n}<" in caregiver] == [3, 4, 5, 6]
        assert "8 unread" in caregiver
        assert "Private &lt;draft&gt;" in home_for("family")


def _maya_circle(app, make_user):
    people = {
        Role.CARE_RECIPIENT: make_user(email="maya@example.org", display_name="Maya"),
        Role.COORDINATOR: make_user(email="sam@example.org", display_name="Sam"),
        Role.CAREGIVER: make_user(email="ana@example.org", display_name="Ana"),
        Role.FAMILY: make_user(email="leo@example.org", display_name="Leo"),
        Role.SUPPORTER: make_user(email="kim@example.org", display_name="Kim"),
    }
    with app.app_context():
        circle = Circle(name="Maya's circle")
        db.session.add(circle)
        db.session.flush()
        for role, user in people.items():
            add_member(circle, db.session.get(User, user.id), role)
        db.session.commit()


def test_demo_builder_does_nothing_without_the_demo_circle(app):
    with app.app_context():
        assert build_demo_notes() == []
        assert db.session.scalar(select(func.count(Note.id))) == 0


def test_demo_builder_adds_realistic_notes_once(app, make_user, runner):
    _maya_circle(app, make_user)
    result = runner.invoke(args=["careteam", "demo"])
    assert result.exit_code == 0, result.output
    assert "care notes" in result.output
    again = runner.invoke(args=["careteam", "demo"])
    assert again.exit_code == 0
    with app.app_context():
        notes = db.session.scalars(select(Note).order_by(Note.created_at)).all()
        assert len(notes) == 5
        categories = {n.category for n in notes}
        assert {"symptoms", "shift_handoff", "medication", "doctor_question", "update"} <= (
            categories
        )
        assert sum(n.pinned for n in notes) == 1
        assert any(n.audience == "everyone" for n in notes)
        assert any("left leg" in n.body for n in notes)
        assert db.session.scalar(select(func.count(NoteComment.id))) == 3
        assert db.session.scalar(select(func.count(NoteAcknowledgement.id))) == 1
