"""Changing the password: other sessions end, this one stays, the owner is told by email."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.auth.models import LoginThrottle, User
from careteam.auth.passwords import verify_password
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, links_in, login, message_text

NEW_PASSWORD = "seven amber foxes guard the ferry"


def password_hash(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).password_hash


def change(client, current: str = TEST_PASSWORD, new: str = NEW_PASSWORD):
    return client.post_form("/account/password", {"current_password": current, "new_password": new})


def test_change_ends_other_sessions_and_keeps_this_one(app, client, new_client, make_user, mail):
    user = make_user(display_name="Maya")
    login(client, user.email)
    other = new_client()
    login(other, user.email)
    stolen = other.get_cookie("careteam_session").value

    response = change(client)
    assert response.status_code == 302
    assert verify_password(password_hash(app, user.id), NEW_PASSWORD)
    assert client.get("/home").status_code == 200, "this browser stays signed in"
    assert other.get("/home").status_code == 302, "the other browser is signed out"
    replay = new_client()
    replay.set_cookie("careteam_session", stolen)
    assert replay.get("/home").status_code == 302, "a copy of its cookie is refused too"

    notice = mail.last_to(user.email)
    assert notice["Subject"] == "Your CareTeam password was changed"
    assert "Every other device" in message_text(notice)
    assert NEW_PASSWORD not in notice.as_string()
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.password_changed")
        )
    assert event.actor_id == user.id
    assert event.details == {"other_sessions_ended": 1}
    assert login(new_client(), user.email, TEST_PASSWORD).status_code == 401
    assert login(new_client(), user.email, NEW_PASSWORD).status_code == 302


def test_wrong_current_password_changes_nothing(app, client, new_client, make_user, mail):
    user = make_user()
    login(client, user.email)
    other = new_client()
    login(other, user.email)
    before = password_hash(app, user.id)
    response = change(client, current="this is not my password")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="current_password-errors"' in page
    assert "That is not your current password." in page
    assert password_hash(app, user.id) == before
    assert other.get("/home").status_code == 200
    assert mail.messages == []
    with app.app_context():
        failed = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "account.password_check_failed")
        )
        assert failed.details == {"purpose": "change_password"}
        assert db.session.scalar(select(LoginThrottle.failures)) == 1


def test_weak_new_password_is_refused_on_its_field(app, client, make_user):
    user = make_user()
    login(client, user.email)
    before = password_hash(app, user.id)
    response = change(client, new="password1234")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="new_password-errors"' in page
    assert "too easy to guess" in page
    assert password_hash(app, user.id) == before


class TestGuessing:
    @pytest.fixture
    def app_config(self):
        return {"LOGIN_FAILURES_BEFORE_DELAY": 2}

    def test_guessing_the_current_password_locks_it(self, app, client, new_client, make_user):
        """A stolen session does not give unlimited guesses at the password."""
        user = make_user()
        login(client, user.email)
        before = password_hash(app, user.id)
        change(client, current="guess number one is wrong")
        locked = change(client, current="guess number two is wrong")
        assert "Please wait 1 minute" in locked.get_data(as_text=True)
        right = change(client)
        assert right.status_code == 422
        assert "Please wait" in right.get_data(as_text=True)
        assert password_hash(app, user.id) == before
        # The lock is the same one that guards the sign-in form.
        assert login(new_client(), user.email).status_code == 401


def test_change_retires_a_pending_reset_link(app, client, new_client, make_user, mail):
    user = make_user()
    new_client().post_form("/forgot-password", {"email": user.email})
    reset = [link for link in links_in(mail.last_to(user.email)) if "/reset-password/" in link]
    login(client, user.email)
    assert change(client).status_code == 302
    assert client.get(urlsplit(reset[0]).path).status_code == 404
