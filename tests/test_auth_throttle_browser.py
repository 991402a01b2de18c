"""The owner of an account under a guessing attack gets in with the emailed link, in Chromium;
the paused sign-in page and the link's page have zero axe violations and 44 px targets."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from careteam.testing import TEST_PASSWORD, check_accessible, links_in, login

pytestmark = pytest.mark.browser


def test_the_owner_signs_in_with_the_emailed_link(
    app, new_client, make_user, mail, live_url, browser
):
    app.config["LOGIN_ACCOUNT_FAILURES_PER_HOUR"] = 3
    owner = make_user(email="ruth@example.org", display_name="Ruth")
    for n in range(3):
        guesser = new_client()
        guesser.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        login(guesser, owner.email, "not the right password at all")

    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(f"{live_url}/login")
    page.fill("#email", owner.email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-error")
    assert "one-time sign-in link" in page.inner_text(".alert-error")
    check_accessible(page, "sign-in paused for the account")

    [link] = [link for link in links_in(mail.last_to(owner.email)) if "/sign-in/" in link]
    page.goto(f"{live_url}{urlsplit(link).path}")
    check_accessible(page, "sign in with the emailed link")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/home")
    check_accessible(page, "home after the emailed link")
