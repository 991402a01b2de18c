"""The circle pages in a real Chromium: keyboard-usable, 44 px targets, zero axe violations."""

from __future__ import annotations

import pytest

from careteam.circles.testing import build_circle, people_for_every_role
from careteam.testing import check_accessible, sign_in_page

pytestmark = pytest.mark.browser


def test_circle_pages_are_accessible(app, make_user, live_url, browser):
    people = people_for_every_role(make_user)
    setup = build_circle(
        app, people, name="Maya's circle", description="Maya has MS.\nShe uses a cane."
    )
    page = browser.new_page(viewport={"width": 1024, "height": 900})
    sign_in_page(page, live_url, people["coordinator"].email)
    check_accessible(page, "dashboard")

    # Create a circle with the keyboard only, after a first try with nothing typed.
    page.goto(f"{live_url}/circles/new")
    page.click("text=Create the circle")
    assert page.locator("#name[aria-invalid=true]").count() == 1
    check_accessible(page, "new circle with errors")
    page.focus("#name")
    page.keyboard.type("Joe's circle")
    page.keyboard.press("Tab")
    page.keyboard.type("Joe lives with Parkinson's.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector('h1:has-text("Joe\'s circle")')
    check_accessible(page, "new circle home")

    page.goto(f"{live_url}/circles")
    assert page.locator(".circle-title").count() == 2
    check_accessible(page, "my circles")

    base = f"{live_url}{setup.url()}"
    for path, label in [
        ("", "home"),
        ("/members", "members"),
        (f"/members/{setup.members['family']}/role", "role"),
        (f"/members/{setup.members['family']}/remove", "remove confirm"),
        (f"/members/{setup.members['coordinator']}/role", "last coordinator refusal"),
        ("/leave", "leave refusal"),
        ("/settings", "settings"),
        ("/archive", "archive confirm"),
        ("/audit", "audit log"),
    ]:
        page.goto(base + path)
        check_accessible(page, label)

    page.goto(f"{base}/audit")
    page.select_option("#action", "member.joined")
    page.click("text=Show events")
    page.wait_for_url("**action=member.joined**")
    check_accessible(page, "audit log filtered")

    page.goto(f"{base}/members/{setup.members['family']}/role")
    page.check("text=Caregiver")
    page.click("text=Save the role")
    page.wait_for_selector("text=is now: Caregiver")
    check_accessible(page, "members after role change")

    page.goto(f"{base}/archive")
    page.click("text=Yes, archive the circle")
    page.wait_for_url("**/circles")
    page.goto(f"{live_url}/circles/archived")
    check_accessible(page, "archived circles")
    page.goto(base)
    assert page.locator("text=This circle is archived").count() == 1
    check_accessible(page, "archived home")
    page.click("text=Restore this circle")
    page.wait_for_selector("text=is restored")
