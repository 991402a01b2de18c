"""The site admin pages in a real Chromium: zero axe violations, 44 px targets, keyboard use."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from careteam.auth.models import User
from careteam.extensions import db
from careteam.testing import TEST_PASSWORD, check_accessible

pytestmark = pytest.mark.browser


def test_admin_pages_are_accessible_and_work_by_keyboard(app, make_user, live_url, browser):
    admin = make_user(email="admin@example.org", display_name="Ada Admin", is_site_admin=True)
    make_user(email="ruth@example.org", display_name="Ruth <b>Family</b>")
    make_user(email="off@example.org", display_name="Otto Off", active=False, verified=False)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(f"{live_url}/login")
    page.fill("#email", admin.email)
    page.fill("#password", TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/home")
    page.get_by_role("link", name="Site admin").click()
    page.wait_for_url("**/admin/users")
    check_accessible(page, "account list")
    assert page.get_by_role("row", name="Ruth <b>Family</b>").count() == 1

    # Search by keyboard only.
    page.focus("#q")
    page.keyboard.type("ru")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users?q=ru")
    check_accessible(page, "search results")
    assert page.locator("td.admin-email").all_inner_texts() == ["ruth@example.org"]

    # Switch Ruth off with the keyboard: focus the row's button and press Enter.
    page.get_by_role("button", name="ruth@example.org").focus()
    assert page.evaluate("document.activeElement.textContent").startswith("Switch off")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/users?q=ru")
    assert "switched off and signed out everywhere" in page.inner_text(".flashes")
    check_accessible(page, "after switching off")
    with app.app_context():
        assert (
            db.session.scalar(select(User.active).where(User.email == "ruth@example.org")) is False
        )

    page.set_viewport_size({"width": 400, "height": 800})
    page.goto(f"{live_url}/admin/users")
    check_accessible(page, "account list, narrow screen")
    page.close()
