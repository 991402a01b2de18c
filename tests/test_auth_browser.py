"""A newcomer in a real Chromium: registers, confirms the email from the message that arrived
over SMTP, signs out and in, forgets the password and resets it, walks the account pages; every
page has zero axe violations and 44 px targets, and works by keyboard."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from careteam.testing import check_accessible, links_in

pytestmark = pytest.mark.browser

FIRST = "violet harbour lanterns drift past copper otters"
SECOND = "seven quiet herons fold maps under amber rain"


def _link(mail, email: str, marker: str) -> str:
    [link] = [link for link in links_in(mail.last_to(email)) if marker in link]
    return urlsplit(link).path


def _type_into(page, selector: str, text: str) -> None:
    page.focus(selector)
    page.keyboard.type(text)


def test_a_newcomer_registers_confirms_signs_in_and_resets(app, mail, live_url, browser):
    email = "newcomer@example.org"
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(f"{live_url}/register")
    check_accessible(page, "register")
    page.get_by_role("button", name="Create account").click()
    assert page.locator("#email[aria-invalid=true]").count() == 1
    check_accessible(page, "register with errors")
    _type_into(page, "#email", email)
    _type_into(page, "#display_name", "Nadia Newcomer")
    _type_into(page, "#password", "password123")  # refused: too easy to guess
    page.keyboard.press("Enter")
    page.wait_for_selector("#password-errors")
    assert page.input_value("#email") == email  # what was typed is kept
    page.fill("#password", FIRST)
    page.keyboard.press("Enter")
    page.wait_for_url("**/check-inbox**")
    check_accessible(page, "check your inbox")

    page.goto(f"{live_url}{_link(mail, email, '/verify/')}")
    if "/login" in page.url:  # confirming does not sign anyone in by itself
        check_accessible(page, "confirmed, please sign in")
        _type_into(page, "#email", email)
        _type_into(page, "#password", FIRST)
        page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    check_accessible(page, "home after confirming")

    for path, label in [
        ("/account/profile", "profile"),
        ("/account/password", "password"),
        ("/account/email", "email change"),
        ("/account/sessions", "signed-in devices"),
        ("/account/delete", "delete account"),
        ("/no-such-page", "not found"),
    ]:
        page.goto(f"{live_url}{path}")
        check_accessible(page, label)

    page.goto(f"{live_url}/home")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login**")
    check_accessible(page, "signed out")
    _type_into(page, "#email", email)
    _type_into(page, "#password", FIRST)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")

    # Forgot the password: the reset link arrives by email and works once.
    signed_in = page.context
    fresh = browser.new_context(viewport={"width": 1024, "height": 800})
    other = fresh.new_page()
    other.goto(f"{live_url}/login")
    other.get_by_role("link", name="Forgot your password?").click()
    other.wait_for_url("**/forgot-password")  # the click only starts the navigation
    check_accessible(other, "forgot password")
    _type_into(other, "#email", email)
    other.keyboard.press("Enter")
    other.wait_for_selector("text=email")
    check_accessible(other, "reset requested")
    reset = _link(mail, email, "/reset-password/")
    other.goto(f"{live_url}{reset}")
    check_accessible(other, "reset password")
    _type_into(other, "#password", SECOND)
    other.keyboard.press("Enter")
    other.wait_for_url("**/login**")
    _type_into(other, "#email", email)
    _type_into(other, "#password", SECOND)
    other.keyboard.press("Enter")
    other.wait_for_url("**/home")
    # The reset ended the other sign-in, and the link is used up.
    page.goto(f"{live_url}/home")
    assert "/login" in page.url
    other.goto(f"{live_url}{reset}")
    check_accessible(other, "used reset link")
    assert other.locator("#password").count() == 0
    fresh.close()
    signed_in.close()
