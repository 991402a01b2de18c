"""Circle pages: create, "my circles", settings, archive and restore, the home page sections."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import render_template_string
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.circles import last_coordinator_check
from careteam.circles.membership import membership_of
from careteam.circles.models import Circle
from careteam.circles.service import encode_cursor
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.registries import WhatsNextItem, add_whats_next
from careteam.testing import login, page_statements, signed_in
from careteam.ui import nav_items


@pytest.fixture
def people(make_user):
    return people_for_every_role(make_user)


@pytest.fixture
def setup(app, people):
    return build_circle(app, people, name="Maya's circle", description="Maya has MS.")


def _actions(app, circle_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.circle_id == circle_id)
                .order_by(AuditEvent.id)
            )
        )


# --- create ----------------------------------------------------------------------------------


def test_create_circle_makes_the_creator_its_coordinator(app, new_client, make_user):
    user = make_user(display_name="Sam", time_zone="America/Chicago")
    client = signed_in(new_client, user)
    form = client.get("/circles/new").get_data(as_text=True)
    assert '<option selected value="America/Chicago">' in form
    response = client.post_form(
        "/circles/new",
        {"name": "  Maya's circle ", "description": "For Maya.", "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 302
    with app.app_context():
        circle = db.session.scalars(select(Circle)).one()
        assert (circle.name, circle.description, circle.time_zone) == (
            "Maya's circle",
            "For Maya.",
            "Europe/Paris",
        )
        assert circle.created_by_id == user.id
        assert membership_of(circle.id, user.id).role == "coordinator"
        public_id = circle.public_id
    assert response.headers["Location"].endswith(f"/circles/{public_id}")
    assert _actions(app, circle.id) == ["circle.created", "member.joined"]
    home = client.get(f"/circles/{public_id}").get_data(as_text=True)
    assert "Maya&#39;s circle" in home and "For Maya." in home


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "   ", "time_zone": "UTC"}, "name"),
        ({"name": "x" * 101, "time_zone": "UTC"}, "name"),
        ({"name": "Ok", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "Ok", "description": "d" * 2001, "time_zone": "UTC"}, "description"),
        ({"name": "Bell\x07", "time_zone": "UTC"}, "name"),
    ],
)
def test_create_circle_refuses_bad_input_with_field_errors(app, client, make_user, data, field):
    login(client, make_user().email)
    response = client.post_form("/circles/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-errors"' in page
    assert f'aria-describedby="{field}-hint {field}-errors"' in page
    with app.app_context():
        assert db.session.scalars(select(Circle)).first() is None


def test_circle_pages_need_sign_in(client):
    for url in ("/circles", "/circles/new", "/circles/archived"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- my circles ------------------------------------------------------------------------------


def test_my_circles_lists_only_my_active_circles(app, new_client, people, make_user):
    mine = build_circle(app, people, name="Alpha circle")
    archived = build_circle(
        app, people, name="Beta circle", archived_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    stranger = make_user(display_name="Stranger")
    build_circle(app, {"coordinator": _p(stranger)}, name="Gamma circle")

    family = signed_in(new_client, people["family"])
    page = family.get("/circles").get_data(as_text=True)
    assert "Alpha circle" in page
    assert "Beta circle" not in page and "Gamma circle" not in page
    # Family members cannot restore, so they are not sent to the archived list.
    assert "/circles/archived" not in page
    assert "Beta circle" not in family.get("/circles/archived").get_data(as_text=True)

    coordinator = signed_in(new_client, people["coordinator"])
    page = coordinator.get("/circles").get_data(as_text=True)
    assert "/circles/archived" in page and "Beta circle" not in page
    archived_page = coordinator.get("/circles/archived").get_data(as_text=True)
    assert "Beta circle" in archived_page and "Alpha circle" not in archived_page
    assert f"/circles/{archived.public_id}/restore" in archived_page
    assert mine.public_id in page


def _p(user):
    from careteam.circles.testing import Person

    return Person(user.id, user.email, user.public_id)


def test_my_circles_costs_the_same_queries_for_3_or_60_circles(app, new_client, make_user):
    user = make_user(display_name="Busy Therapist")
    person = _p(user)
    for n in range(3):
        build_circle(app, {"coordinator": person}, name=f"Circle {n:03d}")
    client = signed_in(new_client, user)
    client.get("/circles")
    small, html = page_statements(app, client, "/circles")
    assert html.count('class="circle-title"') == 3
    for n in range(3, 60):
        build_circle(app, {"coordinator": person}, name=f"Circle {n:03d}")
    large, html = page_statements(app, client, "/circles")
    assert html.count('class="circle-title"') == 25
    assert len(large) == len(small)
    # Keyset pages: the next page starts after the last name, and the pages do not overlap.
    cursor = html.split("after=")[1].split('"')[0]
    second, html2 = page_statements(app, client, f"/circles?after={cursor}")
    assert len(second) == len(small)
    assert "Circle 025" in html2 and "Circle 024" not in html2
    for bad in ("%%%", encode_cursor("x\x00", 1), encode_cursor("x", 10**30), "WyJ4IiwgdHJ1ZV0"):
        assert client.get(f"/circles?after={bad}").status_code == 400, bad
        assert client.get(f"/circles/archived?after={bad}").status_code == 400, bad


def test_dashboard_and_nav_show_my_circles(app, new_client, people, setup):
    client = signed_in(new_client, people["supporter"])
    page = client.get("/home").get_data(as_text=True)
    assert 'href="/circles"' in page and "My circles" in page
    assert f"/circles/{setup.public_id}" in page
    with app.test_request_context():
        assert [i.label for i in nav_items("main") if i.endpoint == "my_circles.index"] == [
            "My circles"
        ]


# --- settings --------------------------------------------------------------------------------


def test_settings_edit_is_saved_and_audited_without_the_text(app, new_client, people, setup):
    client = signed_in(new_client, people["care_recipient"])
    page = client.get(setup.url("/settings")).get_data(as_text=True)
    assert 'value="Maya&#39;s circle"' in page
    response = client.post_form(
        setup.url("/settings"),
        {"name": "Maya & friends", "description": "Private detail", "time_zone": "UTC"},
    )
    assert response.status_code == 302
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        assert (circle.name, circle.description, circle.time_zone) == (
            "Maya & friends",
            "Private detail",
            "UTC",
        )
        row = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "circle.updated")
        ).one()
        assert row.details == {"changed": ["name", "description", "time_zone"]}
        assert row.actor_id == people["care_recipient"].id
    # Saving unchanged values records nothing new.
    client.post_form(
        setup.url("/settings"),
        {"name": "Maya & friends", "description": "Private detail", "time_zone": "UTC"},
    )
    assert _actions(app, setup.id).count("circle.updated") == 1


# --- archive and restore ---------------------------------------------------------------------


def test_archive_confirms_then_makes_the_circle_read_only(app, new_client, people, setup):
    coordinator = signed_in(new_client, people["coordinator"])
    confirm = coordinator.get(setup.url("/archive"))
    assert "Archive this circle?" in confirm.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Circle, setup.id).archived
    response = coordinator.post_form(setup.url("/archive"), {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/circles")
    with app.app_context():
        assert db.session.get(Circle, setup.id).archived

    family = signed_in(new_client, people["family"])
    assert "Maya&#39;s circle" not in family.get("/circles").get_data(as_text=True)
    home = family.get(setup.url())
    assert home.status_code == 200 and "This circle is archived" in home.get_data(as_text=True)
    assert "Restore this circle" not in home.get_data(as_text=True)
    # Read-only: changes are refused, even for managers.
    assert family.post_form(setup.url("/leave"), {}, page="/home").status_code == 403
    response = coordinator.post_form(
        setup.url("/settings"), {"name": "Renamed", "time_zone": "UTC"}, page="/home"
    )
    assert response.status_code == 403
    remove = setup.url(f"/members/{setup.members['supporter']}/remove")
    assert coordinator.post_form(remove, {}, page="/home").status_code == 403
    with app.app_context():
        assert db.session.get(Circle, setup.id).name == "Maya's circle"
        assert membership_of(setup.id, people["family"].id) is not None
        assert membership_of(setup.id, people["supporter"].id) is not None
    # Only managers may restore.
    assert family.post_form(setup.url("/restore"), {}, page="/home").status_code == 403

    response = coordinator.post_form(setup.url("/restore"), {}, page="/circles/archived")
    assert response.status_code == 302
    with app.app_context():
        assert not db.session.get(Circle, setup.id).archived
    assert "Maya&#39;s circle" in family.get("/circles").get_data(as_text=True)
    actions = _actions(app, setup.id)
    assert actions[-2:] == ["circle.archived", "circle.restored"]


# --- home page -------------------------------------------------------------------------------


def test_home_page_sections(app, new_client, people, setup):
    client = signed_in(new_client, people["supporter"])
    page = client.get(setup.url()).get_data(as_text=True)
    for title in ("What&#39;s next", "Recent activity", "Members"):
        assert f">{title}</h2>" in page
    assert (
        page.index("What&#39;s next") < page.index("Recent activity") < page.index(">Members</h2>")
    )
    assert "Nothing is planned yet" in page
    assert "Care Recipient Person" in page and "Care recipient" in page
    assert "Family Person joined as family." in page
    assert "Full audit log" not in page  # supporters do not see the audit log
    assert "Maya has MS." in page


def test_recent_activity_keeps_sensitive_events_out(app, new_client, people, setup):
    coordinator = signed_in(new_client, people["coordinator"])
    coordinator.post_form(setup.url(f"/members/{setup.members['supporter']}/remove"), {})
    coordinator.post_form(
        setup.url("/settings"), {"name": "Maya's circle", "description": "", "time_zone": "UTC"}
    )
    coordinator.post_form(
        setup.url(f"/members/{setup.members['family']}/role"), {"role": "caregiver"}
    )
    page = signed_in(new_client, people["family"]).get(setup.url()).get_data(as_text=True)
    assert "changed Family Person&#39;s role from family to caregiver" in page
    activity = page.split('id="section-recent-activity"')[1].split("</section>")[0]
    assert "Supporter Person joined" in activity
    assert "removed" not in activity and "changed the circle" not in activity


def test_whats_next_is_a_list_features_append_to(app, people, setup):
    calls = []

    def appointments(circle, membership):
        calls.append(membership.role)
        return [
            WhatsNextItem("Neurology review", when=datetime(2026, 12, 14, 10, tzinfo=UTC)),
            WhatsNextItem("Physio <home visit>", when=datetime(2026, 12, 1, 9, tzinfo=UTC)),
        ]

    def broken(circle, membership):
        raise RuntimeError("plugin bug")

    add_whats_next(app, broken)
    add_whats_next(app, appointments)
    template = (
        "{% for s, context, _html in page_sections('circle_home', circle=circle, membership=m) %}"
        "{% if s.key == 'whats-next' %}{% include s.template with context %}{% endif %}"
        "{% endfor %}"
    )
    with app.test_request_context():
        circle = db.session.get(Circle, setup.id)
        member = membership_of(setup.id, people["therapist"].id)
        html = render_template_string(template, circle=circle, m=member)
    assert calls == ["therapist"]
    assert html.index("Physio &lt;home visit&gt;") < html.index("Neurology review")
    assert "Nothing is planned yet" not in html


def test_account_deletion_check_names_the_circles(app, people, setup, make_user):
    checks = app.extensions["careteam_account_deletion_checks"]
    assert last_coordinator_check in checks
    with app.app_context():
        message = last_coordinator_check(_p_user(people["coordinator"]))
        assert message is not None and "Maya's circle" in message
        assert last_coordinator_check(_p_user(people["family"])) is None


def _p_user(person):
    from careteam.auth.models import User

    return db.session.get(User, person.id)
