"""Member rules through the web pages: roles, removal, leaving, the last coordinator, autonomy."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from careteam.audit import AuditEvent
from careteam.circles.membership import MembershipError, change_role, membership_of
from careteam.circles.models import Membership
from careteam.circles.testing import build_circle, people_for_every_role
from careteam.extensions import db
from careteam.testing import login


@pytest.fixture
def setup(app, make_user):
    return build_circle(app, people_for_every_role(make_user), name="Maya's circle")


@pytest.fixture
def as_role(new_client, setup):
    def make(role: str):
        client = new_client()
        login(client, setup.people[role].email)
        return client

    return make


def _role_of(app, setup, role: str) -> str | None:
    with app.app_context():
        member = membership_of(setup.id, setup.people[role].id)
        return member.role if member else None


def _count_members(app, setup) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(Membership).where(Membership.circle_id == setup.id)
        )


def test_members_page_lists_names_and_roles_with_actions_for_managers(setup, as_role):
    page = as_role("coordinator").get(setup.url("/members")).get_data(as_text=True)
    assert "Family Person" in page and "Friend / supporter" in page and "Care recipient" in page
    assert f"/members/{setup.members['family']}/remove" in page
    # Nobody but the care recipient acts on the care recipient's place.
    assert f"/members/{setup.members['care_recipient']}/remove" not in page
    assert f"/members/{setup.members['care_recipient']}/role" not in page

    supporter = as_role("supporter").get(setup.url("/members")).get_data(as_text=True)
    assert "Care Recipient Person" in supporter
    assert "/remove" not in supporter and "/role" not in supporter
    assert setup.url("/leave") in supporter


def test_invite_link_appears_only_when_invitations_exist(app, setup, as_role):
    page = as_role("coordinator").get(setup.url("/members")).get_data(as_text=True)
    has_invitations = "invitations.manage" in app.view_functions
    assert ("Invite someone" in page) == has_invitations
    assert "Invite someone" not in as_role("family").get(setup.url("/members")).get_data(
        as_text=True
    )


def test_coordinator_changes_a_role_and_it_is_audited(app, setup, as_role):
    client = as_role("coordinator")
    url = setup.url(f"/members/{setup.members['family']}/role")
    assert client.get(url).status_code == 200
    response = client.post_form(url, {"role": "caregiver"})
    assert response.status_code == 302
    assert _role_of(app, setup, "family") == "caregiver"
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "member.role_changed")
        ).one()
        assert event.circle_id == setup.id
        assert event.actor_id == setup.people["coordinator"].id
        assert event.details == {
            "from": "family",
            "to": "caregiver",
            "user": setup.people["family"].public_id,
        }


def test_invalid_role_is_a_form_error(app, setup, as_role):
    url = setup.url(f"/members/{setup.members['family']}/role")
    response = as_role("coordinator").post_form(url, {"role": "overlord"})
    assert response.status_code == 422
    assert 'id="role-errors"' in response.get_data(as_text=True)
    assert _role_of(app, setup, "family") == "family"


def test_last_coordinator_cannot_be_demoted_or_leave(app, setup, as_role):
    client = as_role("coordinator")
    role_url = setup.url(f"/members/{setup.members['coordinator']}/role")
    page = client.get(role_url).get_data(as_text=True)
    assert "only coordinator" in page
    response = client.post_form(role_url, {"role": "family"}, page=setup.url("/members"))
    assert response.status_code == 409
    assert "only coordinator" in response.get_data(as_text=True)
    assert _role_of(app, setup, "coordinator") == "coordinator"

    response = client.post_form(setup.url("/leave"), {}, page=setup.url("/members"))
    assert response.status_code == 409
    assert "only coordinator cannot leave" in response.get_data(as_text=True)
    assert _role_of(app, setup, "coordinator") == "coordinator"

    # The care recipient cannot remove the only coordinator either.
    url = setup.url(f"/members/{setup.members['coordinator']}/remove")
    response = as_role("care_recipient").post_form(url, {}, page=setup.url("/members"))
    assert response.status_code == 409
    assert _count_members(app, setup) == 6


def test_with_two_coordinators_one_may_step_down(app, setup, as_role):
    client = as_role("coordinator")
    family = setup.url(f"/members/{setup.members['family']}/role")
    assert client.post_form(family, {"role": "coordinator"}).status_code == 302
    own = setup.url(f"/members/{setup.members['coordinator']}/role")
    assert client.post_form(own, {"role": "family"}).status_code == 302
    assert _role_of(app, setup, "coordinator") == "family"
    # Now the former family member is the only coordinator and cannot step down.
    other = as_role("family")
    response = other.post_form(family, {"role": "supporter"}, page=setup.url("/members"))
    assert response.status_code == 409
    assert _role_of(app, setup, "family") == "coordinator"


def test_only_the_care_recipient_changes_or_removes_their_own_place(app, setup, as_role):
    cr = setup.members["care_recipient"]
    coordinator = as_role("coordinator")
    response = coordinator.post_form(
        setup.url(f"/members/{cr}/role"), {"role": "family"}, page=setup.url("/members")
    )
    assert response.status_code == 409
    assert "Only the care recipient" in response.get_data(as_text=True)
    response = coordinator.post_form(
        setup.url(f"/members/{cr}/remove"), {}, page=setup.url("/members")
    )
    assert response.status_code == 409
    assert _role_of(app, setup, "care_recipient") == "care_recipient"

    recipient = as_role("care_recipient")
    response = recipient.post_form(setup.url(f"/members/{cr}/role"), {"role": "coordinator"})
    assert response.status_code == 302
    assert _role_of(app, setup, "care_recipient") == "coordinator"


def test_no_second_care_recipient(app, setup, as_role):
    from careteam.circles.membership import MembershipError, change_role
    from careteam.circles.models import Circle

    url = setup.url(f"/members/{setup.members['family']}/role")
    client = as_role("coordinator")
    assert 'value="care_recipient"' not in client.get(url).get_data(as_text=True)
    response = client.post_form(url, {"role": "care_recipient"})
    assert response.status_code == 422
    assert 'id="role-errors"' in response.get_data(as_text=True)
    assert _role_of(app, setup, "family") == "family"
    # The rule itself holds for every caller, not just this page.
    with app.app_context():
        circle = db.session.get(Circle, setup.id)
        actor = membership_of(setup.id, setup.people["coordinator"].id)
        family = membership_of(setup.id, setup.people["family"].id)
        with pytest.raises(MembershipError, match="already has a care recipient"):
            change_role(circle, actor, family, "care_recipient")
    # The care recipient's own page still offers their role.
    own = setup.url(f"/members/{setup.members['care_recipient']}/role")
    page = as_role("care_recipient").get(own).get_data(as_text=True)
    assert 'value="care_recipient"' in page


def test_remove_asks_first_then_removes(app, setup, as_role):
    client = as_role("care_recipient")
    url = setup.url(f"/members/{setup.members['supporter']}/remove")
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove Supporter Person from the circle?" in confirm.get_data(as_text=True)
    assert _count_members(app, setup) == 6  # the GET changed nothing
    response = client.post_form(url, {})
    assert response.status_code == 302
    assert _role_of(app, setup, "supporter") is None
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "member.removed")
        ).one()
        assert event.actor_id == setup.people["care_recipient"].id
        assert event.details["user"] == setup.people["supporter"].public_id
    # The removed person is now an outsider: 404 everywhere in the circle.
    removed = as_role("supporter")
    assert removed.get(setup.url()).status_code == 404
    assert removed.get(setup.url("/members")).status_code == 404


def test_anyone_can_leave_after_confirming(app, setup, as_role):
    for role in ("supporter", "therapist", "care_recipient"):
        client = as_role(role)
        page = client.get(setup.url("/leave"))
        assert page.status_code == 200 and "Leave this circle?" in page.get_data(as_text=True)
        response = client.post_form(setup.url("/leave"), {})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/circles")
        assert _role_of(app, setup, role) is None
        assert client.get(setup.url()).status_code == 404
    with app.app_context():
        left = db.session.scalars(
            select(AuditEvent.actor_id).where(AuditEvent.action == "member.left")
        ).all()
    assert sorted(left) == sorted(
        setup.people[r].id for r in ("supporter", "therapist", "care_recipient")
    )


def test_removing_yourself_goes_to_the_leave_page(setup, as_role):
    client = as_role("coordinator")
    url = setup.url(f"/members/{setup.members['coordinator']}/remove")
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/leave")


def test_member_id_of_someone_gone_is_404(app, setup, as_role):
    client = as_role("coordinator")
    supporter = setup.members["supporter"]
    assert client.post_form(setup.url(f"/members/{supporter}/remove"), {}).status_code == 302
    assert client.get(setup.url(f"/members/{supporter}/remove")).status_code == 404
    assert client.get(setup.url("/members/not-a-real-id/role")).status_code == 404


def test_coordinators_demoting_each_other_at_once_leave_one(app, setup):
    """The second change waits for the first and then sees that it would leave no coordinator."""
    import threading
    import time

    from careteam.circles.models import Circle

    with app.app_context():
        family = membership_of(setup.id, setup.people["family"].id)
        family.role = "coordinator"
        db.session.commit()
    first_locked, second_started = threading.Event(), threading.Event()
    errors: dict[str, str] = {}

    def demote(actor_role: str, target_role: str, first: bool) -> None:
        if not first:
            # Touch the database only once the first change holds the lock: outside a request
            # a SQLite transaction begins IMMEDIATE, so reading first would take the lock here.
            first_locked.wait(5)
            second_started.set()
        with app.app_context():
            circle = db.session.get(Circle, setup.id)
            actor = membership_of(setup.id, setup.people[actor_role].id)
            target = membership_of(setup.id, setup.people[target_role].id)
            try:
                change_role(circle, actor, target, "family")
                if first:
                    first_locked.set()
                    second_started.wait(2)
                    time.sleep(0.3)  # let the second change reach the lock
                db.session.commit()
            except MembershipError as error:
                db.session.rollback()
                errors[actor_role] = str(error)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=demote, args=("coordinator", "family", True)),
        threading.Thread(target=demote, args=("family", "coordinator", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert "only coordinator" in errors.get("family", "")
    assert _role_of(app, setup, "coordinator") == "coordinator"
    assert _role_of(app, setup, "family") == "family"
