"""Deleting one's account: password first, deletion checks can refuse, audit rows survive."""

from __future__ import annotations

from sqlalchemy import func, select

from careteam.audit import AuditEvent
from careteam.auth.models import AccountToken, User, UserSession
from careteam.circles.models import Membership
from careteam.circles.testing import Person, build_circle
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, login, message_text

CHECKS = "careteam_account_deletion_checks"


def delete(client, password: str = TEST_PASSWORD, **kwargs):
    return client.post_form("/account/delete", {"current_password": password}, **kwargs)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_wrong_password_keeps_the_account(app, client, make_user):
    user = make_user()
    login(client, user.email)
    response = delete(client, "that is not my password")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="current_password-errors"' in page
    assert count(app, User, User.id == user.id) == 1
    assert client.get("/home").status_code == 200


def test_delete_removes_the_account_and_keeps_anonymous_audit_rows(
    app, client, new_client, make_user, mail
):
    user = make_user(display_name="Maya")
    login(client, user.email)
    other_device = new_client()
    login(other_device, user.email)
    stolen = client.get_cookie("careteam_session").value
    new_client().post_form("/forgot-password", {"email": user.email})  # a live token
    assert count(app, AccountToken, AccountToken.user_id == user.id) == 1

    response = delete(client, follow_redirects=True)
    assert response.request.path == "/login"
    assert "Your account has been deleted." in response.get_data(as_text=True)

    assert count(app, User, User.id == user.id) == 0
    assert count(app, UserSession, UserSession.user_id == user.id) == 0
    assert count(app, AccountToken, AccountToken.user_id == user.id) == 0
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id).where(
                AuditEvent.object_id == user.public_id
            )
        ).all()
    actions = [action for action, _ in rows]
    assert actions.count("auth.signed_in") == 2
    assert "account.deleted" in actions
    assert {actor for _, actor in rows} == {None}

    assert other_device.get("/home").status_code == 302
    replay = new_client()
    replay.set_cookie("careteam_session", stolen)
    assert replay.get("/home").status_code == 302
    assert login(new_client(), user.email).status_code == 401

    goodbye = mail.last_to(user.email)
    assert goodbye["Subject"] == "Your CareTeam account was deleted"
    assert "Hello Maya," in message_text(goodbye)


def test_a_registered_check_blocks_deletion(app, client, make_user):
    user = make_user()
    app.extensions[CHECKS].append(
        lambda u: "Hand over your open tasks first." if u.id == user.id else None
    )
    login(client, user.email)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Hand over your open tasks first." in page
    assert "Delete my account" not in page
    token = client.csrf_token("/account/profile")
    response = client.post(
        "/account/delete", data={"csrf_token": token, "current_password": TEST_PASSWORD}
    )
    assert response.status_code == 409
    assert "Hand over your open tasks first." in response.get_data(as_text=True)
    assert count(app, User, User.id == user.id) == 1
    assert client.get("/home").status_code == 200


def test_a_failing_check_blocks_rather_than_deletes(app, client, make_user):
    user = make_user()

    def broken(_user):
        raise RuntimeError("plugin bug")

    app.extensions[CHECKS].append(broken)
    login(client, user.email)
    token = client.csrf_token("/account/profile")
    response = client.post(
        "/account/delete", data={"csrf_token": token, "current_password": TEST_PASSWORD}
    )
    assert response.status_code == 409
    assert "could not check" in response.get_data(as_text=True)
    assert count(app, User, User.id == user.id) == 1


def _person(user) -> Person:
    return Person(user.id, user.email, user.public_id)


def test_last_coordinator_of_a_circle_cannot_delete(app, client, make_user):
    coordinator = make_user()
    family = make_user()
    build_circle(
        app, {"coordinator": _person(coordinator), "family": _person(family)}, name="Maya's"
    )
    login(client, coordinator.email)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "only coordinator of \u201cMaya&#39;s\u201d" in page
    assert count(app, User, User.id == coordinator.id) == 1


def test_member_who_deletes_leaves_their_circles_on_record(app, client, make_user):
    coordinator = make_user()
    family = make_user()
    setup = build_circle(app, {"coordinator": _person(coordinator), "family": _person(family)})
    login(client, family.email)
    assert delete(client).status_code == 302
    assert count(app, Membership, Membership.user_id == family.id) == 0
    with app.app_context():
        left = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "member.left", AuditEvent.circle_id == setup.id
            )
        )
    assert left.actor_id is None
    assert left.object_id == setup.members["family"]
    assert left.details["reason"] == "account_deleted"
