"""Registration: the emailed verification link, duplicate addresses, password rules, bad input."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from careteam.audit import AuditEvent
from careteam.auth.models import AccountToken, User
from careteam.extensions import db
from careteam.testing import links_in, login, message_text

STRONG = "violet harbour lanterns drift past copper otters"


def register(client, email: str, password: str = STRONG, display_name: str = "New Person"):
    return client.post_form(
        "/register", {"email": email, "display_name": display_name, "password": password}
    )


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def link_path(message, marker: str) -> str:
    links = [link for link in links_in(message) if marker in link]
    assert len(links) == 1, links
    assert links[0].startswith("http://careteam.test/"), "links come from BASE_URL"
    return urlsplit(links[0]).path


# --- verification ----------------------------------------------------------------------------


def test_register_then_follow_the_emailed_link(app, client, mail):
    response = register(client, "New.Person@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-inbox?reason=verify")
    user = user_by_email(app, "new.person@example.org")
    assert user is not None and not user.email_verified
    assert user.password_hash.startswith("$argon2id$")
    assert STRONG not in user.password_hash

    message = mail.last_to("new.person@example.org")
    assert message["Subject"] == "Confirm your email address for CareTeam"
    path = link_path(message, "/verify/")
    with app.app_context():
        token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
        assert path.rsplit("/", 1)[1] not in token.token_hash, "only the hash is stored"
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == user.id)
        ).all()
        assert "account.registered" in actions

    followed = client.get(path)
    assert followed.status_code == 302
    assert user_by_email(app, "new.person@example.org").email_verified

    again = client.get(path)
    assert again.status_code == 404
    assert b"This link no longer works" in again.data


def test_expired_verification_link_is_refused(app, client, mail, clock):
    register(client, "late@example.org")
    path = link_path(mail.last_to("late@example.org"), "/verify/")
    clock.advance(hours=app.config["VERIFY_TOKEN_HOURS"], minutes=1)
    response = client.get(path)
    assert response.status_code == 404
    assert not user_by_email(app, "late@example.org").email_verified


def test_unverified_user_can_sign_in_and_sees_the_banner(app, client, mail):
    register(client, "fresh@example.org")
    assert login(client, "fresh@example.org", STRONG).status_code == 302
    home = client.get("/home")
    assert home.status_code == 200
    assert b"Please confirm your email address" in home.data
    resend = client.post_form("/verify/resend", {}, page="/home")
    assert resend.status_code == 302
    assert len(mail.wait_for("fresh@example.org", count=2)) == 2


def test_existing_address_gets_an_email_not_a_second_account(app, client, mail, make_user):
    owner = make_user(email="maya@example.org", display_name="Maya")
    taken = register(client, "MAYA@example.org", display_name="Someone Else")
    fresh = register(client, "brand.new@example.org", display_name="Someone Else")
    assert taken.status_code == fresh.status_code == 302
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert user_count(app) == 2  # the owner and brand.new, nothing more

    messages = mail.wait_for("maya@example.org")
    assert len(messages) == 1
    assert messages[0]["Subject"] == "You already have a CareTeam account"
    assert "/verify/" not in message_text(messages[0])
    assert "Hello Maya" in message_text(messages[0])
    with app.app_context():
        assert db.session.get(User, owner.id).display_name == "Maya"
        assert not db.session.scalars(
            select(AccountToken).where(AccountToken.user_id == owner.id)
        ).all()


def test_plain_text_email_is_not_html_escaped(app, client, mail):
    register(client, "obrien@example.org", display_name="Siobhán O'Brien & <Co>")
    message = mail.last_to("obrien@example.org")
    assert "Hello Siobhán O'Brien & <Co>," in message_text(message)
    assert "&amp;" not in message_text(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Siobhán O&#39;Brien &amp; &lt;Co&gt;" in html


# --- password rules --------------------------------------------------------------------------


def _refused(app, response, email: str, message: str) -> None:
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="password-errors"' in page
    assert message in page
    assert user_by_email(app, email) is None


def test_long_password_registers_and_signs_in(app, client):
    password = (
        "quiet harbour lanterns drift past seven copper bicycles while "
        "otters juggle marmalade jars at noon, twice"
    )[:100]
    assert len(password) == 100
    assert register(client, "long@example.org", password).status_code == 302
    assert login(client, "long@example.org", password).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xq7#vLp2!mZ", "Use at least 12 characters"),
        ("Zq9!kL3@pW" * 12 + "Zq9!kL3@p", "Use at most 128 characters"),
        ("password1234", "too easy to guess"),
    ],
    ids=["11-chars", "129-chars", "common"],
)
def test_weak_or_oversized_passwords_are_refused(app, client, password, message):
    _refused(app, register(client, "weak@example.org", password), "weak@example.org", message)


def test_password_made_of_the_email_address_is_refused(app, client):
    email = "wanda.kowalczyk-smithers@example.org"
    _refused(app, register(client, email, email), email, "too easy to guess")


def test_fullwidth_password_matches_its_nfkc_form(app, client):
    normal = "fullwidth marmalade otters 7"
    # The same letters from the fullwidth block, as an East Asian keyboard may type them.
    typed = "".join(chr(ord(ch) + 0xFEE0) if ch != " " else ch for ch in normal)
    assert typed.startswith("\uff46\uff55\uff4c\uff4c")
    assert unicodedata.normalize("NFKC", typed) == normal
    assert register(client, "wide@example.org", typed).status_code == 302
    assert login(client, "wide@example.org", normal).status_code == 302


def test_any_unicode_password_is_accepted(app, client):
    password = "Ünïcödé пароль 密码 🔐🌈 ☕ ಠ_ಠ"
    assert register(client, "uni@example.org", password).status_code == 302
    assert login(client, "uni@example.org", password).status_code == 302
    assert login(client, "uni@example.org", password.upper()).status_code == 401


# --- display names and bad input -------------------------------------------------------------


@pytest.mark.parametrize("name", ["Maya\x00", "\u202eayaM", "Ma\tya", "Maya\u200b"])
def test_display_name_with_control_characters_is_refused(app, client, name):
    response = register(client, "ctrl@example.org", display_name=name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="display_name-errors"' in page
    assert "Remove invisible or control characters" in page
    assert user_by_email(app, "ctrl@example.org") is None


def _name_ok(name: str) -> bool:
    stripped = name.strip()
    if not stripped or len(stripped) > 100:
        return False
    return not any(
        unicodedata.category(ch) == "Cc" or (unicodedata.category(ch) == "Cf" and ch != "\u200d")
        for ch in stripped
    )


def test_blns_through_the_registration_form(app, client, blns):
    """Every naughty name is judged and echoed safely (no password, so nothing is hashed)."""
    token = client.csrf_token("/register")
    accepted = 0
    for naughty in blns:
        response = client.post(
            "/register",
            data={
                "csrf_token": token,
                "email": "naughty@example.org",
                "display_name": naughty,
                "password": "",
            },
        )
        assert response.status_code == 422, ascii(naughty)
        page = response.get_data(as_text=True)
        assert ('id="display_name-errors"' in page) != _name_ok(naughty), ascii(naughty)
        assert str(escape(naughty.strip())) in page, ascii(naughty)
        assert "<script>alert" not in page
        accepted += _name_ok(naughty)
    assert accepted > 400
    assert user_count(app) == 0


def test_blns_sample_is_stored_exactly(app, client, mail, blns):
    """Register a sample of markup-like and non-ASCII names for real; they come back exactly."""
    sample = [s for s in blns if _name_ok(s) and (set(s) & set("<>&\"'") or not s.isascii())][::25]
    assert len(sample) >= 10
    for number, naughty in enumerate(sample):
        email = f"blns{number}@example.org"
        assert register(client, email, display_name=naughty).status_code == 302, ascii(naughty)
        assert user_by_email(app, email).display_name == naughty.strip()
        message = mail.last_to(email)
        assert f"Hello {naughty.strip()}," in message_text(message)
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f"Hello {escape(naughty.strip())}," in html


def test_oversized_body_gets_the_friendly_413_page(app, client):
    token = client.csrf_token("/register")
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(
        "/register",
        data={"csrf_token": token, "email": "big@example.org", "display_name": too_big},
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That was too large" in page
    assert "Traceback" not in page
    assert user_count(app) == 0
