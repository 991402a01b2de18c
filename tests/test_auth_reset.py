"""Forgotten passwords: the emailed reset link works once, expires and ends every session."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from careteam.audit import AuditEvent
from careteam.auth.models import User
from careteam.auth.passwords import verify_password
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, links_in, login, message_text

NEW_PASSWORD = "seven amber foxes guard the ferry"


def ask_for_reset(client, email: str):
    return client.post_form("/forgot-password", {"email": email})


def reset_path(mail, email: str) -> str:
    links = [link for link in links_in(mail.last_to(email)) if "/reset-password/" in link]
    assert len(links) == 1
    return urlsplit(links[0]).path


def stored_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def test_reset_end_to_end(app, client, new_client, make_user, mail):
    user = make_user(verified=False)
    signed_in_before = new_client()
    login(signed_in_before, user.email)
    assert signed_in_before.get("/home").status_code == 200

    response = ask_for_reset(client, user.email.upper())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-inbox?reason=reset")
    message = mail.last_to(user.email)
    assert message["Subject"] == "Reset your CareTeam password"
    path = reset_path(mail, user.email)

    assert client.get(path).status_code == 200
    weak = client.post_form(path, {"password": "password1234"})
    assert weak.status_code == 422
    assert b"too easy to guess" in weak.data
    assert verify_password(stored_user(app, user.id).password_hash, TEST_PASSWORD)

    done = client.post_form(path, {"password": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.headers["Location"] == "/login"
    stored = stored_user(app, user.id)
    assert verify_password(stored.password_hash, NEW_PASSWORD)
    assert stored.email_verified, "following the emailed link proves the address"

    # The browser that was signed in before the reset is signed out.
    assert signed_in_before.get("/home").status_code == 302
    # The link works once.
    assert client.get(path).status_code == 404
    assert login(client, user.email, TEST_PASSWORD).status_code == 401
    assert login(client, user.email, NEW_PASSWORD).status_code == 302
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == user.public_id)
        ).all()
    assert "account.reset_requested" in actions
    assert "account.password_reset" in actions


def test_reset_link_expires(app, client, make_user, mail, clock):
    user = make_user()
    ask_for_reset(client, user.email)
    path = reset_path(mail, user.email)
    clock.advance(minutes=app.config["RESET_TOKEN_MINUTES"] - 1)
    assert client.get(path).status_code == 200
    clock.advance(minutes=2)
    expired = client.get(path)
    assert expired.status_code == 404
    assert b"This link no longer works" in expired.data
    token = client.csrf_token("/forgot-password")
    refused = client.post(path, data={"csrf_token": token, "password": NEW_PASSWORD})
    assert refused.status_code == 404
    assert verify_password(stored_user(app, user.id).password_hash, TEST_PASSWORD)


def test_a_newer_reset_link_retires_the_older_one(app, client, make_user, mail):
    user = make_user()
    ask_for_reset(client, user.email)
    first = reset_path(mail, user.email)
    ask_for_reset(client, user.email)
    second = urlsplit(
        next(link for link in links_in(mail.wait_for(user.email, 2)[-1]) if "/reset" in link)
    ).path
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_unknown_address_gets_the_same_page_and_a_mail_without_a_link(app, client, make_user, mail):
    user = make_user()
    known = ask_for_reset(client, user.email)
    unknown = ask_for_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    mail.wait_for(user.email)
    notice = mail.last_to("nobody@example.org")
    assert sorted(str(m["To"]) for m in mail.messages) == sorted([user.email, "nobody@example.org"])
    assert "no account" in message_text(notice)
    assert not [link for link in links_in(notice) if "/reset-password/" in link]
    page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert "If an account uses that address" in page
