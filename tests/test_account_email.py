"""Changing the email address: confirmed from the new inbox, the old one told, no takeovers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from careteam.audit import AuditEvent
from careteam.auth import account_tokens
from careteam.auth.models import AccountToken, User
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, links_in, login, message_text


@pytest.fixture
def maya(make_user, client):
    user = make_user(email="maya@example.org", display_name="Maya")
    login(client, user.email)
    return user


def ask(client, new_email: str, password: str = TEST_PASSWORD):
    return client.post_form(
        "/account/email", {"new_email": new_email, "current_password": password}
    )


def confirm_path(mail, to: str) -> str:
    links = [link for link in links_in(mail.last_to(to)) if "/account/email/confirm/" in link]
    assert len(links) == 1
    assert links[0].startswith("http://careteam.test/")
    return urlsplit(links[0]).path


def email_of(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).email


def test_email_change_end_to_end(app, client, new_client, maya, mail):
    response = ask(client, "Maya.New@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/email/sent"
    assert email_of(app, maya.id) == "maya@example.org", "nothing changes before the link"

    requested = mail.last_to("maya@example.org")
    assert requested["Subject"] == "A change of your CareTeam email address was requested"
    assert "maya.new@example.org" in message_text(requested)
    path = confirm_path(mail, "maya.new@example.org")

    # Opened on another device, where nobody is signed in.
    phone = new_client()
    page = phone.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "maya.new@example.org" in page.get_data(as_text=True)
    assert email_of(app, maya.id) == "maya@example.org", "opening the link only asks"
    done = phone.post_form(path, {})
    assert done.status_code == 302
    assert done.headers["Location"] == "/login"
    with app.app_context():
        user = db.session.get(User, maya.id)
        assert user.email == "maya.new@example.org"
        assert user.email_verified
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == maya.public_id)
        ).all()
    assert "account.email_change_requested" in actions
    assert "account.email_changed" in actions

    changed = mail.last_to("maya@example.org")
    assert changed["Subject"] == "Your CareTeam email address was changed"
    assert "maya.new@example.org" in message_text(changed)

    assert phone.get(path).status_code == 404, "the link works once"
    assert login(new_client(), "maya@example.org").status_code == 401
    assert login(phone, "maya.new@example.org").status_code == 302
    assert client.get("/account/email").status_code == 200, "the first browser stays signed in"


def test_confirming_in_the_signed_in_browser_returns_to_the_account(app, client, maya, mail):
    ask(client, "maya2@example.org")
    path = confirm_path(mail, "maya2@example.org")
    response = client.post_form(path, {})
    assert response.headers["Location"] == "/account/email"
    page = client.get("/account/email").get_data(as_text=True)
    assert "Your email address is now maya2@example.org." in page


def test_address_of_another_account_is_not_revealed(app, client, make_user, maya, mail):
    other = make_user(email="taken@example.org", display_name="Other")
    taken = ask(client, "taken@example.org")
    free = ask(client, "free@example.org")
    assert taken.status_code == free.status_code == 302
    assert taken.headers["Location"] == free.headers["Location"]

    notice = mail.last_to("taken@example.org")
    assert notice["Subject"] == "Someone tried to use this address on CareTeam"
    assert "/account/email/confirm/" not in message_text(notice)
    with app.app_context():
        pending = db.session.scalars(
            select(AccountToken.new_email).where(
                AccountToken.purpose == account_tokens.CHANGE_EMAIL
            )
        ).all()
    assert pending == ["free@example.org"]
    assert email_of(app, other.id) == "taken@example.org"
    assert email_of(app, maya.id) == "maya@example.org"


def test_link_cannot_take_an_address_that_became_taken(app, client, make_user, maya, mail):
    ask(client, "contested@example.org")
    path = confirm_path(mail, "contested@example.org")
    other = make_user(email="contested@example.org")
    client.get(path)
    response = client.post_form(path, {})
    assert response.status_code == 409
    assert "already in use" in response.get_data(as_text=True)
    assert email_of(app, maya.id) == "maya@example.org"
    assert email_of(app, other.id) == "contested@example.org"
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2


def test_wrong_password_or_same_address_sends_nothing(app, client, maya, mail):
    wrong = ask(client, "new@example.org", password="not my password at all")
    assert wrong.status_code == 422
    assert 'id="current_password-errors"' in wrong.get_data(as_text=True)
    same = ask(client, "MAYA@example.org")
    assert same.status_code == 422
    assert "That is already your email address." in same.get_data(as_text=True)
    bad = ask(client, "not an address")
    assert bad.status_code == 422
    assert 'id="new_email-errors"' in bad.get_data(as_text=True)
    assert 'value="not an address"' in bad.get_data(as_text=True)
    assert mail.messages == []


def test_change_link_expires(app, client, maya, mail, clock):
    ask(client, "later@example.org")
    path = confirm_path(mail, "later@example.org")
    clock.advance(hours=app.config["VERIFY_TOKEN_HOURS"], minutes=1)
    assert client.get(path).status_code == 404
    token = client.csrf_token("/account/email")
    assert client.post(path, data={"csrf_token": token}).status_code == 404
    assert email_of(app, maya.id) == "maya@example.org"


def test_a_newer_request_retires_the_older_link(app, client, maya, mail):
    ask(client, "first@example.org")
    first = confirm_path(mail, "first@example.org")
    ask(client, "second@example.org")
    assert client.get(first).status_code == 404
    assert client.get(confirm_path(mail, "second@example.org")).status_code == 200


def test_links_sent_to_the_old_address_stop_working(app, client, new_client, mail):
    """An unverified account moved to a new address: the old verification link is dead."""
    client.post_form(
        "/register",
        {
            "email": "typo@example.org",
            "display_name": "Typo",
            "password": "violet harbour lanterns drift past",
        },
    )
    verify = [link for link in links_in(mail.last_to("typo@example.org")) if "/verify/" in link]
    login(client, "typo@example.org", "violet harbour lanterns drift past")
    ask(client, "right@example.org", password="violet harbour lanterns drift past")
    client.post_form(confirm_path(mail, "right@example.org"), {})
    assert client.get(urlsplit(verify[0]).path).status_code == 404
