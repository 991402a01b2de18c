"""A new session token on every sign-in, password change and email change.

Each test copies the browser's cookies before the change, makes the change, and checks that
the copies no longer sign anyone in while the browser that made the change stays signed in
with its new token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from careteam.testing import TEST_PASSWORD, links_in, login

NEW_PASSWORD = "seven amber foxes guard the ferry"
SESSION, REMEMBER = "careteam_session", "careteam_remember"


def cookie(client, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def replay(new_client, name: str, value: str):
    """Return a fresh browser carrying only a copied cookie."""
    thief = new_client()
    thief.set_cookie(name, value)
    return thief


def assert_renewed(client, new_client, copied: dict[str, str]) -> None:
    for name, value in copied.items():
        assert replay(new_client, name, value).get("/home").status_code == 302, (
            f"a copied {name} cookie still signs in"
        )
    assert client.get("/home").status_code == 200, "the browser that made the change stays in"


def test_signing_in_again_ends_the_previous_session(app, client, new_client, make_user):
    user = make_user()
    login(client, user.email)
    before = cookie(client, SESSION)
    assert login(client, user.email).status_code == 302
    assert_renewed(client, new_client, {SESSION: before})


def test_signing_in_as_someone_else_ends_the_first_persons_session(
    app, client, new_client, make_user
):
    first, second = make_user(), make_user()
    login(client, first.email)
    before = cookie(client, SESSION)
    login(client, second.email)
    assert_renewed(client, new_client, {SESSION: before})


def test_a_password_change_renews_this_browsers_tokens(app, client, new_client, make_user):
    user = make_user()
    login(client, user.email, remember=True)
    copied = {SESSION: cookie(client, SESSION), REMEMBER: cookie(client, REMEMBER)}
    response = client.post_form(
        "/account/password", {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert_renewed(client, new_client, copied)
    # "Keep me signed in" carried over to the new token: the remember cookie alone gets in.
    kept = replay(new_client, REMEMBER, cookie(client, REMEMBER))
    assert kept.get("/home").status_code == 200


def test_a_refused_password_change_keeps_the_token(app, client, new_client, make_user):
    user = make_user()
    login(client, user.email)
    before = cookie(client, SESSION)
    response = client.post_form(
        "/account/password", {"current_password": "not my password", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert client.get("/home").status_code == 200
    assert replay(new_client, SESSION, before).get("/home").status_code == 200


def test_an_email_change_renews_the_token_when_asked_and_when_confirmed(
    app, client, new_client, make_user, mail
):
    user = make_user()
    login(client, user.email)
    before_asking = cookie(client, SESSION)
    response = client.post_form(
        "/account/email", {"new_email": "moved@example.org", "current_password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert_renewed(client, new_client, {SESSION: before_asking})

    before_confirming = cookie(client, SESSION)
    link = next(link for link in links_in(mail.last_to("moved@example.org")) if "/confirm/" in link)
    assert client.post_form(urlsplit(link).path, {}).status_code == 302
    assert_renewed(client, new_client, {SESSION: before_confirming})


def test_confirming_from_another_browser_leaves_the_signed_in_one_alone(
    app, client, new_client, make_user, mail
):
    user = make_user()
    login(client, user.email)
    client.post_form(
        "/account/email", {"new_email": "moved@example.org", "current_password": TEST_PASSWORD}
    )
    signed_in = cookie(client, SESSION)
    link = next(link for link in links_in(mail.last_to("moved@example.org")) if "/confirm/" in link)
    phone = new_client()
    assert phone.post_form(urlsplit(link).path, {}).status_code == 302
    assert phone.get("/home").status_code == 302, "confirming does not sign anyone in"
    assert client.get("/home").status_code == 200
    assert replay(new_client, SESSION, signed_in).get("/home").status_code == 200
